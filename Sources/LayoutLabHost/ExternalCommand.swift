import Foundation

/// Runs a helper program (swiftc, git, dpkg-query, sha256sum) to completion and captures its output.
package enum ExternalCommand {
    package struct Output {
        package var status: Int32
        package var text: String
    }

    /// Runs `command` (an absolute path or a name found on `PATH`); nil when it cannot start. Standard error
    /// is dropped unless merged into the text.
    package static func run(_ command: [String], workingDirectory: URL? = nil, mergeStandardError: Bool = false) -> Output? {
        guard let executable = command.first.flatMap(locate),
              let finished = try? ChildProcess.run(
                  executable, Array(command.dropFirst()), workingDirectory: workingDirectory?.path,
                  mergeStandardError: mergeStandardError)
        else { return nil }
        return Output(status: finished.termination.shellStatus, text: finished.standardOutput)
    }

    /// The trimmed standard output of a command that succeeded, else nil.
    package static func output(_ command: [String], workingDirectory: URL? = nil) -> String? {
        guard let result = run(command, workingDirectory: workingDirectory), result.status == 0 else { return nil }
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    package static func locate(_ name: String) -> String? {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
