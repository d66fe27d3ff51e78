/// A list of strings as one request argument: each item written as `<utf8 byte count>:<item>,` (D. J. Bernstein's
/// netstrings), so that an item may hold any text (spaces, commas, colons, `=`, line breaks) and the list needs no
/// quoting. `["python3", "-c", "print(1)"]` is `7:python3,2:-c,8:print(1),`; the empty list is the empty text.
package enum NetstringList {
    /// The items, each as a netstring, concatenated.
    package static func encode(_ items: [String]) -> String {
        items.map { "\($0.utf8.count):\($0)," }.joined()
    }

    /// Reads what `encode` wrote; nil for any other text (a bad length, a missing `,`, bytes left over).
    package static func decode(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        var items: [String] = []
        var index = 0
        while index < bytes.count {
            var length = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 10 {
                length = length * 10 + Int(bytes[index] - 0x30)
                index += 1
                digits += 1
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard length <= bytes.count - index - 1, bytes[index + length] == UInt8(ascii: ",") else { return nil }
            items.append(String(decoding: bytes[index..<(index + length)], as: UTF8.self))
            index += length + 1
        }
        return items
    }
}
