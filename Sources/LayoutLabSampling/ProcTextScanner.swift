/// Allocation-free parsing of the `/proc` text formats: decimal fields and `Key:   value kB` lines.
package enum ProcTextScanner {
    /// The value of the line that starts with `key` (which includes its colon, e.g. `"VmRSS:"`), converted
    /// from the kernel's kB to bytes; nil when the key is absent or the value is not a number.
    package static func kilobyteValue(of key: StaticString, in text: UnsafeRawBufferPointer) -> Int? {
        let keyBytes = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var lineStart = 0
        while lineStart < text.count {
            if hasPrefix(keyBytes, in: text, at: lineStart) {
                return decimal(in: text, from: lineStart + keyBytes.count).map { $0.value * 1024 }
            }
            guard let newline = index(of: UInt8(ascii: "\n"), in: text, from: lineStart) else { return nil }
            lineStart = newline + 1
        }
        return nil
    }

    /// The `position`-th (0-based) space-separated decimal field of a one-line file such as `statm`.
    package static func field(_ position: Int, in text: UnsafeRawBufferPointer) -> Int? {
        var cursor = 0
        var remaining = position
        while let parsed = decimal(in: text, from: cursor) {
            if remaining == 0 { return parsed.value }
            remaining -= 1
            cursor = parsed.end
        }
        return nil
    }

    /// Skips spaces and tabs from `start`, then reads an unsigned decimal; nil if no digit follows.
    static func decimal(in text: UnsafeRawBufferPointer, from start: Int) -> (value: Int, end: Int)? {
        var cursor = start
        while cursor < text.count, text[cursor] == UInt8(ascii: " ") || text[cursor] == UInt8(ascii: "\t") {
            cursor += 1
        }
        var value = 0
        let first = cursor
        while cursor < text.count, text[cursor] >= UInt8(ascii: "0"), text[cursor] <= UInt8(ascii: "9") {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(text[cursor] - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
            cursor += 1
        }
        return cursor > first ? (value, cursor) : nil
    }

    private static func hasPrefix(_ prefix: UnsafeRawBufferPointer, in text: UnsafeRawBufferPointer, at start: Int) -> Bool {
        guard start + prefix.count <= text.count else { return false }
        for offset in 0..<prefix.count where text[start + offset] != prefix[offset] { return false }
        return true
    }

    private static func index(of byte: UInt8, in text: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var cursor = start
        while cursor < text.count {
            if text[cursor] == byte { return cursor }
            cursor += 1
        }
        return nil
    }
}
