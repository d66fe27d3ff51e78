import LayoutLabModel
import LayoutLabProtocol

/// The generated code for `bytes`, `string` and `array` fields: their Swift types, each node's value as
/// `NodeDraw` describes it, and the reads and writes of traverse and mutate.
extension ShapeSource {
    /// The Swift type a field is stored as: `InlineArray<L, UInt8>` for bytes (`[UInt8]` inside a dict-class
    /// node's dictionary, where an inline buffer of more than 24 bytes would be boxed), `String`,
    /// `ContiguousArray<T>`, or the scalar's type (`nodeType?` for references in heap layouts).
    func swiftType(_ member: Member, referencing nodeType: String?, dictionary: Bool = false) -> String {
        switch member.type {
        case .bytes: dictionary ? "[UInt8]" : "InlineArray<\(member.field.length?.fixedCount ?? 0), UInt8>"
        case .array: "ContiguousArray<\((member.field.element ?? .int64).swiftType(referencing: nil))>"
        default: member.type.swiftType(referencing: nodeType)
        }
    }

    /// The length node `i` draws for a field: its count, `sweptLength` for the swept field of a sweep family,
    /// or the family's length function for a distribution.
    func lengthExpression(_ member: Member) -> String {
        if member.position == swept { return "sweptLength" }
        if let count = member.field.length?.fixedCount { return String(count) }
        return lengthFunction(position: member.position) + "(i)"
    }

    func lengthFunction(position: Int) -> String { "\(prefix)Length\(position)" }

    /// The value of a bytes, string or array field for node `i`.
    func drawnValue(_ member: Member, dictionary: Bool) -> String {
        let offset = "layoutlabContentOffset(\(member.position), i)"
        switch member.type {
        case .bytes:
            return dictionary
                ? "layoutlabByteArray(\(lengthExpression(member)), \(offset))"
                : "(layoutlabBytes(\(offset)) as \(swiftType(member, referencing: nil)))"
        case .string:
            return "layoutlabText(\(lengthExpression(member)), \(offset))"
        default:
            let element = member.field.element ?? .int64
            let type = element.swiftType(referencing: nil)
            let convert = switch element {
            case .float, .double: "\(type)(v)"
            case .bool: "v & 1 != 0"
            default: "\(type)(truncatingIfNeeded: v)"
            }
            return "layoutlabArray(\(lengthExpression(member)), i) { (v: Int) -> \(type) in \(convert) }"
        }
    }

    /// A bytes, string or array field's read folded into an `Int`: a buffer's first and last byte, a string's
    /// UTF-8 count and first byte, an array's count and first element.
    func drawnFold(_ member: Member, _ expression: String) -> String {
        switch member.type {
        case .bytes: "(Int(\(expression)[0]) &+ Int(\(expression)[\(expression).count &- 1]))"
        case .string: "(\(expression).utf8.count &+ Int(\(expression).utf8.first ?? 0))"
        default: "(\(expression).count &+ (\(expression).first.map { \(scalarFold(member.field.element ?? .int64, "$0")) } ?? 0))"
        }
    }

    /// An in-place write of a bytes field's first and last byte or an array's first element; nil for strings,
    /// which mutate leaves alone (like references).
    func drawnBump(_ member: Member, _ target: String) -> String? {
        switch member.type {
        case .bytes: "\(target)[0] &+= 1; \(target)[\(target).count &- 1] &+= 1"
        case .array: "if !\(target).isEmpty { \(scalarBump(member.field.element ?? .int64, "\(target)[0]") ?? "") }"
        default: nil
        }
    }

    /// The C entry points that return the length node `i` draws for each field whose length is a
    /// distribution, for the runner's comparison with `NodeDraw.length`.
    func lengthEntryPoints(shapeIndex: Int) -> String {
        shape.fields.enumerated().compactMap { position, field -> String? in
            guard let length = field.length, length.fixedCount == nil else { return nil }
            let symbol = GeneratedCodeABI.lengthSymbol(shapeIndex: shapeIndex, fieldIndex: position)
            return """
                @_cdecl("\(symbol)")
                public func \(symbol)(\(GeneratedCodeABI.lengthSignature.parameterList))\(GeneratedCodeABI.lengthSignature.resultClause) { \(lengthFunction(position: position))(node) }

                """
        }.joined()
    }

    /// The length functions of the fields whose length is a distribution, exactly as `NodeDraw.length` draws.
    func lengthFunctions() -> String {
        shape.fields.enumerated().compactMap { position, field -> String? in
            guard let length = field.length, length.fixedCount == nil, position != swept else { return nil }
            var body = "    let h1 = layoutlabFirstHash(\(position), i)\n"
            switch length {
            case .fixed(let count):
                body += "    return \(count)\n"
            case .uniform(let lower, let upper):
                body += "    return \(lower) &+ Int(h1 % \(UInt64(upper - lower + 1)))\n"
            case .choice(let options):
                body += "    let draw = h1 >> 11\n"
                for (option, threshold) in zip(options, NodeDraw.choiceThresholds(options)).dropLast() {
                    body += "    if draw < \(threshold) { return \(option.length) }\n"
                }
                body += "    return \(options[options.count - 1].length)\n"
            case .lognormal(let median, let sigma, let max):
                body += """
                        let u1 = (Double(h1 >> 11) + 1) * 0x1p-53
                        let u2 = Double(layoutlabSecondHash(h1) >> 11) * 0x1p-53
                        let z = (-2 * Glibc.log(u1)).squareRoot() * Glibc.cos((2 * Double.pi) * u2)
                        let value = (\(median) * Glibc.exp(\(sigma) * z) + 0.5).rounded(.down)
                        return value >= \(Double(max)) ? \(max) : Int(value)

                    """
            }
            return "/// Field \(position) (\(field.name), \(field.typeToken)): the length node i draws (NodeDraw.length).\n"
                + "@inline(__always) func \(lengthFunction(position: position))(_ i: Int) -> Int {\n\(body)}\n"
        }.joined()
    }
}

extension LayoutSourceGenerator {
    /// The helpers every shape with bytes, string or array fields uses: the experiment's seed and `NodeDraw`'s
    /// hashes, and builders that make each value with exactly one allocation (none for short strings, empty
    /// arrays and inline buffers).
    static func drawPrelude(seed: UInt64, lognormal: Bool) -> String {
        (lognormal ? "import Glibc\n" : "") + """

            // MARK: node contents, as NodeDraw describes them (seed \(seed))

            let layoutlabSeed: UInt64 = \(seed)

            @inline(__always) func layoutlabMix(_ value: UInt64) -> UInt64 {
                var z = value
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }

            @inline(__always) func layoutlabFirstHash(_ fieldIndex: Int, _ node: Int) -> UInt64 {
                layoutlabMix(layoutlabSeed ^ (UInt64(fieldIndex) &+ 1) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: node) &* 0xD1B5_4A32_D192_ED03)
            }

            @inline(__always) func layoutlabSecondHash(_ first: UInt64) -> UInt64 { layoutlabMix(first ^ 0xA24B_AED4_963E_E407) }

            /// The letter (0 = a) a field's text or bytes start at.
            @inline(__always) func layoutlabContentOffset(_ fieldIndex: Int, _ node: Int) -> Int { Int(layoutlabFirstHash(fieldIndex, node) % 26) }

            /// `count` letters from letter `offset`, cyclically, written at `target`.
            @inline(__always) func layoutlabLetters(_ target: UnsafeMutablePointer<UInt8>, _ count: Int, _ offset: Int) {
                var letter = offset
                for j in 0..<count {
                    target[j] = UInt8(truncatingIfNeeded: 97 &+ letter)
                    letter = letter == 25 ? 0 : letter &+ 1
                }
            }

            /// A string of exactly `length` UTF-8 code units: inline (no allocation) up to 15, else one native storage.
            @inline(__always) func layoutlabText(_ length: Int, _ offset: Int) -> String {
                String(unsafeUninitializedCapacity: length) { buffer in
                    if let base = buffer.baseAddress { layoutlabLetters(base, length, offset) }
                    return length
                }
            }

            /// An inline buffer of letters.
            @inline(__always) func layoutlabBytes<let n: Int>(_ offset: Int) -> InlineArray<n, UInt8> {
                InlineArray { j in UInt8(truncatingIfNeeded: 97 &+ (offset &+ j) % 26) }
            }

            /// A `[UInt8]` of exactly `length` letters and capacity `length` (dict-class keeps bytes so).
            @inline(__always) func layoutlabByteArray(_ length: Int, _ offset: Int) -> [UInt8] {
                length == 0 ? [] : [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                    layoutlabLetters(buffer.baseAddress!, length, offset)
                    initialized = length
                }
            }

            /// An array of exactly `length` elements and capacity `length`, element j made from i + j; no
            /// allocation when empty.
            @inline(__always) func layoutlabArray<T>(_ length: Int, _ i: Int, _ element: (Int) -> T) -> ContiguousArray<T> {
                length == 0 ? ContiguousArray() : ContiguousArray(unsafeUninitializedCapacity: length) { buffer, initialized in
                    for j in 0..<length { (buffer.baseAddress! + j).initialize(to: element(i &+ j)) }
                    initialized = length
                }
            }

            """
    }

    /// The helpers of sweep families whose swept field is `bytes`: run-time-sized nodes.
    static let tailPrelude = """

        // MARK: run-time-sized nodes for swept bytes fields

        /// A node whose swept bytes are tail-allocated after its other fields: one allocation of
        /// 16 + MemoryLayout<Head>.size + length bytes, what a class with an InlineArray<length, UInt8> last asks for.
        @inline(__always) func layoutlabTailNode<Head, Node: ManagedBuffer<Head, UInt8>>(
            _ type: Node.Type, _ length: Int, _ offset: Int, _ head: Head
        ) -> Node {
            let node = unsafeDowncast(Node.create(minimumCapacity: length) { _ in head }, to: Node.self)
            node.withUnsafeMutablePointerToElements { layoutlabLetters($0, length, offset) }
            return node
        }

        /// The stride of a record of `size` bytes and `alignment`, as MemoryLayout computes it.
        @inline(__always) func layoutlabStride(_ size: Int, _ alignment: Int) -> Int {
            max(1, (size &+ alignment &- 1) / alignment &* alignment)
        }

        /// Writes a record (its head, then `length` letters) at `at`, initializing or assigning the head.
        @inline(__always) func layoutlabPlace<Head>(_ at: UnsafeMutableRawPointer, _ head: Head, _ length: Int, _ offset: Int, initialize: Bool) {
            if initialize { at.initializeMemory(as: Head.self, to: head) } else { at.assumingMemoryBound(to: Head.self).pointee = head }
            layoutlabLetters((at + MemoryLayout<Head>.size).assumingMemoryBound(to: UInt8.self), length, offset)
        }

        /// Deinitializes `count` record heads of `stride` bytes from `base` (nothing for trivial heads).
        @inline(__always) func layoutlabDeinitialize<Head>(_ type: Head.Type, _ base: UnsafeMutableRawPointer?, _ count: Int, _ stride: Int) {
            guard !_isPOD(Head.self), let base else { return }
            for n in 0..<count { (base + n &* stride).assumingMemoryBound(to: Head.self).deinitialize(count: 1) }
        }

        /// Appends `count` letters from `offset` to a byte column.
        @inline(__always) func layoutlabAppendLetters(_ column: inout ContiguousArray<UInt8>, _ count: Int, _ offset: Int) {
            var letter = offset
            for _ in 0..<count {
                column.append(UInt8(truncatingIfNeeded: 97 &+ letter))
                letter = letter == 25 ? 0 : letter &+ 1
            }
        }

        /// Overwrites `count` bytes of a byte column from `start` with letters from `offset`.
        @inline(__always) func layoutlabWriteLetters(_ column: inout ContiguousArray<UInt8>, _ start: Int, _ count: Int, _ offset: Int) {
            column.withUnsafeMutableBufferPointer { layoutlabLetters($0.baseAddress! + start, count, offset) }
        }

        """
}
