import Foundation

/// Runs a helper program (swiftc, git, dpkg-query, sha256sum) to completion and captures its output.
enum ExternalCommand {
    struct Output {
        var status: Int32
        var text: String
    }

    /// Runs `command` (an absolute path or a name found on `PATH`); nil when it cannot start.
    static func run(_ command: [String], workingDirectory: URL? = nil, mergeStandardError: Bool = false) -> Output? {
        guard let executable = command.first.flatMap(locate) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = mergeStandardError ? pipe : FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }

    /// The trimmed standard output of a command that succeeded, else nil.
    static func output(_ command: [String], workingDirectory: URL? = nil) -> String? {
        guard let result = run(command, workingDirectory: workingDirectory), result.status == 0 else { return nil }
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func locate(_ name: String) -> String? {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
