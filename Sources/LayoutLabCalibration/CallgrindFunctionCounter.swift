import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabRunner

/// Counts the instructions a program executes inside one function, by running it under valgrind's
/// callgrind with collection toggled on at that function's entry and off at its exit. Functions in
/// `excluding`, called from inside it, toggle collection off again while they run (the worker's sampling
/// callback), the way the clock leaves sampling out of ns/node. The counts are the same from run to run
/// whatever the machine's neighbours do.
struct CallgrindFunctionCounter: Sendable {
    /// The valgrind executable.
    var valgrind: String

    /// valgrind on `PATH`, or nil.
    static func locate() -> CallgrindFunctionCounter? { ExternalCommand.locate("valgrind").map { CallgrindFunctionCounter(valgrind: $0) } }

    /// The instructions executed inside `function` (a symbol name or callgrind glob) while `command` runs,
    /// with `environment` added to the runner's; the callgrind output is kept at `outputFile`.
    func instructions(
        of command: [String], environment: [String: String], inside function: String, excluding: [String], outputFile: URL
    ) throws -> Int {
        let arguments = [
            "--tool=callgrind", "--callgrind-out-file=\(outputFile.path)", "--collect-atstart=no",
            "--toggle-collect=\(function)",
        ] + excluding.map { "--toggle-collect=\($0)" } + command
        let finished: ChildProcess.Finished
        do {
            finished = try ChildProcess.run(
                valgrind, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        } catch {
            throw CallgrindCountError.cannotStart(reason: "\(error)")
        }
        guard finished.termination.shellStatus == 0 else {
            // The whole of valgrind's complaint goes to a log beside the output; the error quotes its last line.
            let log = URL(fileURLWithPath: outputFile.path + ".log")
            try? AtomicFile.write("\(valgrind) \(arguments.joined(separator: " "))\n\(finished.standardError)", to: log)
            let last = finished.standardError.split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw CallgrindCountError.valgrindFailed(status: finished.termination.shellStatus, function: function, lastLine: last, log: log.path)
        }
        guard let text = try? String(contentsOf: outputFile, encoding: .utf8), let count = Self.totalInstructions(callgrindOutput: text) else {
            throw CallgrindCountError.noInstructionTotal(outputFile: outputFile.path)
        }
        guard count > 0 else { throw CallgrindCountError.nothingCounted(function: function) }
        return count
    }

    /// The `Ir` total of a callgrind output file (its `totals:` or `summary:` line), nil when it has none.
    static func totalInstructions(callgrindOutput text: String) -> Int? { CallgrindOutput(text).total }
}
