import Foundation

/// The process groups a process's children lead, found in `/proc/[0-9]*/stat` (parent pid, field 4; group, field 5):
/// a program trial's monitor starts the program in a group of its own (so that its timeout kills the whole tree), so
/// stopping the monitor alone would leave the program running.
package enum ChildProcessGroups {
    /// Sends `signal` to every process group led by a child of `parent` (not to `parent`'s own group).
    package static func signal(childrenOf parent: pid_t, with signal: Int32) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state, ppid, pgrp, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let parentPID = pid_t(fields[1]), let group = pid_t(fields[2]), let pid = pid_t(entry),
                parentPID == parent, group == pid else { continue }
            kill(-group, signal)
        }
    }
}
