/// Finds keys that appear twice in one JSON object. A JSON parser keeps only one of them, so
/// `"nodes": [1000000], …, "nodes": [10000000]` would silently run one list; the lab refuses such a file
/// instead. Runs on text that has already parsed, so it only has to follow the structure.
enum DuplicateKeyScanner {
    /// One key seen again: where (the JSON path of the second occurrence), and the lines of both.
    struct Duplicate: Equatable {
        var jsonPath: String
        var key: String
        var firstLine: Int
        var line: Int
    }

    private enum Container {
        case object(keys: [String: Int], current: String?, expectingKey: Bool)
        case array(index: Int)
    }

    static func duplicates(in bytes: [UInt8]) -> [Duplicate] {
        var found: [Duplicate] = []
        var stack: [Container] = []
        var line = 1
        var position = 0

        func path() -> String {
            var text = "$"
            for container in stack {
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
                        found.append(Duplicate(jsonPath: path(), key: text, firstLine: first, line: line))
                    } else {
                        keys[text] = line
                        stack[stack.count - 1] = .object(keys: keys, current: text, expectingKey: false)
                    }
                }
                continue
            default:
                break
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
