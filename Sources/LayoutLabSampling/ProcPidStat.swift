/// One reading of `/proc/PID/stat` (proc(5)), parsed without allocating: the process's state, parent, per-task flags
/// and resident pages. Read by the program monitor, to leave out a sample of a process on its way out (the kernel
/// already tearing its memory down: an exiting program reads a few pages, then 0), and by its process-tree scan.
/// The command name (field 2) may hold spaces and parentheses: fields count after its last `)`.
package struct ProcPidStat: Equatable, Sendable {
    /// `PF_EXITING` of the kernel's per-task flags (field 9): set when the task has begun to exit.
    package static let exitingFlag: UInt = 0x4

    /// Field 3: `R`, `S`, `D`, `Z` (zombie), `X` (dead), ...
    package var state: UInt8
    /// Field 4, the parent's pid (its digits; 0 where the field holds none).
    package var parentPID: Int
    /// Field 9, the per-task flags; nil when the field is missing or not a decimal number.
    package var flags: UInt?
    /// Field 24, resident pages (the same count as `statm`'s); nil when the line stops before it.
    package var rssPages: Int?

    /// Nil without a `)` and a state after it.
    package init?(parsing text: UnsafeRawBufferPointer) {
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After ") ": token 0 the state (field 3), 1 ppid, 2 pgrp, 3 session, 4 tty_nr, 5 tpgid (may be -1), 6 flags,
        // …, 21 rss (field 24).
        var token = -1
        var index = close + 1
        var state: UInt8?
        parentPID = 0
        while index < text.count, token < 21 {
            while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
            guard index < text.count, text[index] != UInt8(ascii: "\n") else { break }
            token += 1
            let start = index
            var value = 0
            var digits = true
            while index < text.count, text[index] != UInt8(ascii: " "), text[index] != UInt8(ascii: "\n") {
                let byte = text[index]
                if byte >= 0x30, byte <= 0x39 { value = value &* 10 &+ Int(byte - 0x30) } else { digits = false }
                index += 1
            }
            switch token {
            case 0: state = text[start]
            case 1: parentPID = value
            case 6: flags = digits ? UInt(value) : nil
            case 21: rssPages = value
            default: break
            }
        }
        guard let state else { return nil }
        self.state = state
    }

    /// A zombie (`Z`) or dead (`X`) process.
    package var isGone: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }

    /// Whether the process is exiting (`PF_EXITING`), a zombie or dead; nil when the flags were not read.
    package var isExiting: Bool? { flags.map { isGone || $0 & Self.exitingFlag != 0 } }

    /// `isExiting` of a reading's text; nil when it does not parse.
    package static func isExiting(_ text: UnsafeRawBufferPointer) -> Bool? { ProcPidStat(parsing: text)?.isExiting }
}
