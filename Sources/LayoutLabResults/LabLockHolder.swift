import Foundation

/// Who holds the lab lock, as its holder writes it into the lock file: one `key: value` line each, readable
/// with `cat`. The file outlives its holder (the kernel releases the lock, nobody clears the lines), so what it
/// says is checked against the running processes before anyone is told (`isRunning`).
public struct LabLockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var experiments: [String]
    /// When the holder took the lock (UTC, ISO 8601).
    public var sinceUtc: String
    public var host: String?
    public var command: String
    /// When the holder's process started, in clock ticks after boot (`/proc/PID/stat` field 22), so that a pid
    /// the kernel has given to another process since is not taken for the holder; nil where unreadable.
    public var startTicks: UInt64?

    public init(pid: Int32, experiments: [String], sinceUtc: String, host: String?, command: String, startTicks: UInt64? = nil) {
        self.pid = pid
        self.experiments = experiments
        self.sinceUtc = sinceUtc
        self.host = host
        self.command = command
        self.startTicks = startTicks
    }

    package var fileText: String {
        "pid: \(pid)\nexperiments: \(experiments.joined(separator: ", "))\nsince_utc: \(sinceUtc)\nhost: \(host ?? "")\n"
            + "start_ticks: \(startTicks.map(String.init) ?? "")\ncommand: \(command)\n"
    }

    package init?(fileText: String) {
        var fields: [String: String] = [:]
        for line in fileText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), pid > 0, let since = fields["since_utc"] else { return nil }
        self.pid = pid
        experiments = (fields["experiments"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        sinceUtc = since
        host = fields["host"].flatMap { $0.isEmpty ? nil : $0 }
        command = fields["command"] ?? ""
        startTicks = fields["start_ticks"].flatMap { UInt64($0) }
    }

    /// Whether the process named is still running: its pid exists (`kill(pid, 0)` does not fail with ESRCH;
    /// EPERM is another user's live process) and, where both are known, started when the holder's did.
    public var isRunning: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let startTicks, let now = Self.startTicks(of: pid) else { return true }
        return now == startTicks
    }

    /// Field 22 (`starttime`) of `/proc/PID/stat`, read after the command name's closing parenthesis (the name
    /// may hold spaces and parentheses); nil when the process is gone or the file unreadable.
    package static func startTicks(of pid: Int32) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first; starttime is field 22, so the 20th of these.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    public var description: String {
        let names = experiments.isEmpty ? "" : ", experiment \(experiments.joined(separator: ", "))"
        return "pid \(pid)\(names), since \(sinceUtc)\(command.isEmpty ? "" : " (\(command))")"
    }
}
