/// What Foundation's JSON decoder lets through but JSON forbids, found in text that has already parsed:
/// a key given twice in one object (the decoder keeps one, so `"nodes": [1000000], …, "nodes": [10000000]`
/// would silently run one list) and a trailing comma (`[1, 2,]`, which Python's json and every editor's
/// schema check reject). Each finding has the JSON path and line where it is.
enum StrictJSONScanner {
    /// One thing the decoder accepted that JSON does not.
    struct Finding: Equatable {
        enum Kind: Equatable {
            /// `key` again, first given on `firstLine`.
            case duplicateKey(key: String, firstLine: Int)
            /// A comma right before the closing `]` or `}`.
            case trailingComma
        }
        var kind: Kind
        var jsonPath: String
        var line: Int
    }

    private enum Container {
        case object(keys: [String: Int], current: String?, expectingKey: Bool)
        case array(index: Int)
    }

    static func findings(in bytes: [UInt8]) -> [Finding] {
        var found: [Finding] = []
        var lastSignificant: UInt8 = 0
        var stack: [Container] = []
        var line = 1
        var position = 0

        /// The path of the current value; `innermost: false` stops at the innermost list or object itself.
        func path(innermost: Bool = true) -> String {
            var text = "$"
            for (depth, container) in stack.enumerated() where innermost || depth < stack.count - 1 {
                switch container {
                case .object(_, let current, _): if let current { text += "." + current }
                case .array(let index): text += "[\(index)]"
                }
            }
            return text
        }

        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "{"):
                stack.append(.object(keys: [:], current: nil, expectingKey: true))
            case UInt8(ascii: "["):
                stack.append(.array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastSignificant == UInt8(ascii: ",") {
                    found.append(Finding(kind: .trailingComma, jsonPath: path(innermost: false), line: line))
                }
                _ = stack.popLast()
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let keys, let current, _): stack[stack.count - 1] = .object(keys: keys, current: current, expectingKey: true)
                case .array(let index): stack[stack.count - 1] = .array(index: index + 1)
                case nil: break
                }
            case UInt8(ascii: "\""):
                let (text, end) = string(in: bytes, from: position)
                position = end
                if case .object(var keys, _, true) = stack.last {
                    if let first = keys[text] {
                        stack[stack.count - 1] = .object(keys: keys, current: text, expectingKey: false)
                        found.append(Finding(kind: .duplicateKey(key: text, firstLine: first), jsonPath: path(), line: line))
                    } else {
                        keys[text] = line
                        stack[stack.count - 1] = .object(keys: keys, current: text, expectingKey: false)
                    }
                }
                lastSignificant = byte
                continue
            default:
                break
            }
            if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "\r") {
                lastSignificant = byte
            }
            position += 1
        }
        return found
    }

    /// The decoded string starting at the quote at `start`, and the index just past its closing quote.
    private static func string(in bytes: [UInt8], from start: Int) -> (String, Int) {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var position = start + 1
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        var pendingHighSurrogate: UInt32?
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
            guard bytes[position] == UInt8(ascii: "\\"), position + 1 < bytes.count else {
                raw.append(bytes[position])
                position += 1
                continue
            }
            flush()
            let escaped = bytes[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                let hex = String(decoding: bytes[position..<min(position + 4, bytes.count)], as: UTF8.self)
                position += 4
                guard let value = UInt32(hex, radix: 16) else { continue }
                if (0xD800...0xDBFF).contains(value) {
                    pendingHighSurrogate = value
                    continue
                }
                if let high = pendingHighSurrogate, (0xDC00...0xDFFF).contains(value) {
                    let combined = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
                    if let scalar = Unicode.Scalar(combined) { scalars.append(scalar) }
                } else if let scalar = Unicode.Scalar(value) {
                    scalars.append(scalar)
                }
            default: scalars.append(Unicode.Scalar(escaped))  // \" \\ \/
            }
            pendingHighSurrogate = nil
        }
        flush()
        return (String(scalars), position + 1)
    }
}
