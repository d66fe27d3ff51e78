import CSV
import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabCodegen
@testable import LayoutLabHost
@testable import LayoutLabRunner

/// Helpers shared by the tests that run real workers and the built command.
enum TestSupport {
    /// The folder the test binary was built into; `layoutlab` and `layoutlab-worker` are built beside it.
    static var buildDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func runOptions(out: URL) throws -> RunOptions {
        guard let swiftc = LayoutLibraryBuilder.findSwiftc() else { throw HostError.swiftcNotFound(option: nil) }
        return RunOptions(
            outputDirectory: out, workerPath: buildDirectory.appendingPathComponent("layoutlab-worker").path,
            swiftc: swiftc, cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-cache"),
            trialTimeoutSeconds: 600, showProgress: false)
    }

    /// A CSV file as its header and rows of named cells (CSV.swift does the reading).
    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[String: String]]) {
        let reader = try CSVReader(string: try String(contentsOf: url, encoding: .utf8), hasHeaderRow: true)
        let header = reader.headerRow ?? []
        var rows: [[String: String]] = []
        while let row = reader.next() {
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, row)))
        }
        return (header, rows)
    }

    /// A lab lock file of its own for one command, so that tests running in parallel neither serialise on the
    /// machine's lock nor collide with a real run; a test of the lock passes `LAYOUTLAB_LOCK_FILE` itself.
    static func withPrivateLock(_ environment: [String: String]) -> [String: String] {
        guard environment[LabLock.environmentVariable] == nil else { return environment }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-\(UUID().uuidString.prefix(12)).lock").path
        return environment.merging([LabLock.environmentVariable: path]) { first, _ in first }
    }

    /// Runs a built executable and returns its exit status, stdout and stderr.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try runTool(buildDirectory.appendingPathComponent(executable).path, arguments, environment: withPrivateLock(environment))
    }

    /// Runs any program by path. A program still running after `timeoutSeconds` is killed and the test
    /// fails saying so, so that a hang costs one test, never the whole run.
    static func runTool(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 300,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let finished = try ChildProcess.run(
            path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            timeoutSeconds: timeoutSeconds)
        if finished.timedOut {
            Issue.record("\(path) \(arguments.joined(separator: " ")) ran longer than \(Int(timeoutSeconds)) s and was killed",
                         sourceLocation: sourceLocation)
        }
        return (finished.termination.shellStatus, finished.standardOutput, finished.standardError)
    }

    /// Starts a built executable without waiting for it (for tests that signal a running command).
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        standardOutput: ChildProcess.Stream = .null, standardError: ChildProcess.Stream = .null
    ) throws -> ChildProcess {
        try ChildProcess(
            executable: buildDirectory.appendingPathComponent(executable).path, arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(withPrivateLock(environment)) { $1 },
            standardOutput: standardOutput, standardError: standardError)
    }
}
