/// Allocation-free reading of `/proc/PID/stat` (proc(5)): whether the process is on its way out, so that a monitor
/// sampling it from outside does not record the resident set of a process whose memory the kernel is already
/// tearing down (an exiting program reads a few pages, then 0).
package enum ProcPidStat {
    /// `PF_EXITING` of the kernel's per-task flags (field 9): set when the task has begun to exit.
    package static let exitingFlag: UInt = 0x4

    /// Whether the text says the process is exiting (`PF_EXITING`), a zombie (`Z`) or dead (`X`); nil when the text
    /// does not parse. The command name (field 2) may hold spaces and parentheses: fields count after its last `)`.
    package static func isExiting(_ text: UnsafeRawBufferPointer) -> Bool? {
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After ") ": token 0 the state (field 3), 1 ppid, 2 pgrp, 3 session, 4 tty_nr, 5 tpgid (may be -1), 6 flags.
        var token = -1
        var index = close + 1
        var state: UInt8 = 0
        while index < text.count {
            while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
            guard index < text.count, text[index] != UInt8(ascii: "\n") else { break }
            token += 1
            let start = index
            var value: UInt = 0
            var digits = true
            while index < text.count, text[index] != UInt8(ascii: " "), text[index] != UInt8(ascii: "\n") {
                let byte = text[index]
                if byte >= 0x30, byte <= 0x39 { value = value &* 10 &+ UInt(byte - 0x30) } else { digits = false }
                index += 1
            }
            if token == 0 { state = text[start] }
            if token == 6 {
                guard digits else { return nil }
                return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") || value & exitingFlag != 0
            }
        }
        return nil
    }
}
