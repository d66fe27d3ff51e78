import LayoutLabModel
import LayoutLabProtocol

/// The entry points of one shape (or sweep family) and layout: the allocate function that builds the nodes in a
/// concrete loop and the phase function that runs traverse, mutate, the frees, reallocate and churn on them, for
/// the class layouts, the value layouts and the tail-allocated nodes of swept bytes.
extension ShapeSource {
    /// The function name of an entry point: its C symbol for a shape, an internal name for a family.
    func functionName(_ layout: LayoutKind) -> String {
        swept == nil
            ? LayoutSourceGenerator.entrySymbol(shapeIndex: index, layout: layout)
            : "layoutlab_family\(index)_" + String(layout.rawValue.map { $0 == "-" ? "_" : $0 })
    }

    /// The head of an entry point's declaration: `@_cdecl` for a shape; for a family an internal function
    /// (never inlined into the members' wrappers) that takes `sweptLength` first.
    private func declarationHead(_ name: String, _ signature: GeneratedCodeABI.Signature) -> String {
        if swept == nil {
            return "@_cdecl(\"\(name)\")\npublic func \(name)(\n    \(signature.parameterList)\n)\(signature.resultClause) {\n"
        }
        return "@inline(never)\nfunc \(name)(\n    _ sweptLength: Int, \(signature.parameterList)\n)\(signature.resultClause) {\n"
    }

    func entryPoint(for layout: LayoutKind) -> String {
        let symbol = functionName(layout)
        let holder = "\(prefix)\(layout.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())Trial"
        var text = "\n"
        switch layout {
        case .finalClass, .openClass, .dictClass:
            let type = nodeType(layout)
            text += """
                /// Every node of a \(layout.rawValue) trial; `created` counts nodes made in this process, so live =
                /// created − freed. A build after free-all (allocate-warm) starts from the nodes freed before it.
                final class \(holder) {
                    var all: ContiguousArray<\(type)?>
                    var created: Int
                    init(_ all: ContiguousArray<\(type)?>) { self.all = all; created = layoutlabFreedNodes &+ all.count }
                }


                """
            text += allocateEntry(
                symbol: symbol,
                prologue: "    checkpoint(context, 0)\n    var all = ContiguousArray<\(type)?>()\n    all.reserveCapacity(nodes)\n    checkpoint(context, \(GeneratedCodeABI.containerReady))\n",
                append: "all.append(\(newNode(layout, nodes: "all")))", handle: "\(holder)(all)")
            let live = "created &- layoutlabFreedNodes"
            let (reads, writes) = heapFieldAccess(layout)
            text += phaseEntry(symbol: symbol, holder: holder, live: live) { kind in
                switch kind {
                case .traverse: ordered(body: "if let node = all[i] {\n    \(reads)\n}", live: live)
                case .mutate: ordered(body: "if let node = all[i] {\n    \(writes.isEmpty ? "_ = node" : writes)\n}", live: live)
                case .freeHalf: segments(index: "2 &* w &+ 1", body: "all[i] = nil", live: live)
                case .reallocate: segments(index: "2 &* w &+ 1", body: "all[i] = \(newNode(layout, nodes: "all"))\ncreated &+= 1", live: live)
                case .churn: "        guard let permutation, nodes > 0 else { break }\n" + segments(
                    index: "permutation[w % nodes]", body: "all[i] = \(newNode(layout, nodes: "all"))\ncreated &+= 1", live: live)
                case .freeAll: segments(index: "w", body: "all[i] = nil\nif w == nodes &- 1 { all = [] }", live: live)
                case .allocate, .allocateWarm, .purge, .remoteFree, .fork, .idle: nil
                }
            }
        case .pythonDictClass, .pythonSlotsClass, .pythonDictAndSlots, .pythonDataclassSlots, .pythonTuple, .pythonNamedtuple:
            return ""
        case .structArray where tailBytes:
            text += tailRecordEntryPoint(symbol: symbol, holder: holder)
        case .structArray, .columns:
            let type = nodeType(layout)
            let sweptColumn = tailBytes ? swept : nil
            let storage: [(name: String, type: String)] = layout == .structArray
                ? [("all", "ContiguousArray<\(type)>")]
                : members.map { ($0.property, $0.position == sweptColumn ? "ContiguousArray<UInt8>" : "ContiguousArray<\(swiftType($0, referencing: nil))>") }
            text += "/// Every node of a \(layout.rawValue) trial: value arrays, which free nothing until free-all.\n"
            if sweptColumn != nil { text += "/// The swept bytes are one column of nodes × sweptLength bytes.\n" }
            text += "final class \(holder) {\n"
            text += storage.map { "    var \($0.name): \($0.type)\n" }.joined()
            text += "    var live: Int\n"
            text += "    init(\(storage.map { "_ \($0.name): \($0.type)" }.joined(separator: ", ")), live: Int) {\n"
            text += storage.map { "        self.\($0.name) = \($0.name)\n" }.joined()
            text += "        self.live = live\n    }\n}\n\n"
            let columnStart = "i &* sweptLength"
            let append = layout == .structArray
                ? "all.append(\(recordValue()))"
                : members.map { member in
                    member.position == sweptColumn
                        ? "layoutlabAppendLetters(&\(member.property), sweptLength, layoutlabContentOffset(\(member.position), i))"
                        : "\(member.property).append(\(value(member, nodes: nil)))"
                }.joined(separator: "\n            ")
            let reserve = storage.map { column in
                "    var \(column.name) = \(column.type)()\n    \(column.name).reserveCapacity(nodes\(column.name == "f\(sweptColumn ?? -1)" ? " &* sweptLength" : ""))\n"
            }.joined()
            text += allocateEntry(
                symbol: symbol, prologue: "    checkpoint(context, 0)\n    checkpoint(context, \(GeneratedCodeABI.containerReady))\n" + reserve, append: append,
                handle: "\(holder)(\(storage.map { "\($0.name)" }.joined(separator: ", ")), live: nodes)")
            let element = { (field: Member) in
                layout == .structArray ? "all[i].\(field.property)" : "\(field.property)[i]"
            }
            let reads = members.map { member in
                member.position == sweptColumn
                    ? "sum &+= Int(\(member.property)[\(columnStart)]) &+ Int(\(member.property)[\(columnStart) &+ sweptLength &- 1])"
                    : "sum &+= \(fold(member, element(member), valueLayout: true))"
            }.joined(separator: "\n")
            let writes = members.compactMap { member in
                member.position == sweptColumn
                    ? "\(member.property)[\(columnStart)] &+= 1; \(member.property)[\(columnStart) &+ sweptLength &- 1] &+= 1"
                    : bump(member, element(member))
            }.joined(separator: "\n")
            let overwrite = layout == .structArray
                ? "all[i] = \(recordValue())"
                : members.map { member in
                    member.position == sweptColumn
                        ? "layoutlabWriteLetters(&\(member.property), \(columnStart), sweptLength, layoutlabContentOffset(\(member.position), i))"
                        : "\(member.property)[i] = \(value(member, nodes: nil))"
                }.joined(separator: "\n")
            let release = storage.map { "\($0.name) = []" }.joined(separator: "\n") + "\ntrial.live = 0"
            text += phaseEntry(symbol: symbol, holder: holder, live: "trial.live", storage: storage.map(\.name), nodes: "trial.live") { kind in
                switch kind {
                case .traverse: ordered(body: reads, live: "trial.live")
                case .mutate: ordered(body: writes.isEmpty ? "_ = i" : writes, live: "trial.live")
                case .freeHalf, .reallocate: "        applicable = 0\n" + segments(index: "w", body: "_ = i", live: "trial.live")
                case .churn: "        guard let permutation, nodes > 0 else { break }\n" + segments(index: "permutation[w % nodes]", body: overwrite, live: "trial.live")
                case .freeAll: segments(index: "w", body: "if w == 0 {\n" + release.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n}", live: "trial.live")
                case .allocate, .allocateWarm, .purge, .remoteFree, .fork, .idle: nil
                }
            }
        }
        return text
    }

    /// struct-array for a family with swept bytes: one `ContiguousArray<UInt8>` of nodes × stride bytes, each
    /// record its `Record` head followed by sweptLength bytes, padded to the stride MemoryLayout would give.
    private func tailRecordEntryPoint(symbol: String, holder: String) -> String {
        let record = "\(prefix)Record"
        let swept = swept ?? 0
        let head = "\(record)(\(stored.map { "\($0.property): \(value($0, nodes: nil))" }.joined(separator: ", ")))"
        let offset = "layoutlabContentOffset(\(swept), i)"
        var text = """
            /// Every node of a struct-array trial: nodes × stride bytes, \(record) heads each followed by sweptLength bytes.
            final class \(holder) {
                var all: ContiguousArray<UInt8>
                var live: Int
                let stride: Int
                init(_ all: ContiguousArray<UInt8>, live: Int, stride: Int) { self.all = all; self.live = live; self.stride = stride }
                deinit { all.withUnsafeMutableBytes { layoutlabDeinitialize(\(record).self, $0.baseAddress, live, stride) } }
            }


            """
        let strideLine = "    let stride = layoutlabStride(MemoryLayout<\(record)>.size &+ sweptLength, MemoryLayout<\(record)>.alignment)\n"
        text += allocateEntry(
            symbol: symbol,
            prologue: "    checkpoint(context, 0)\n    checkpoint(context, \(GeneratedCodeABI.containerReady))\n" + strideLine
                + "    var all = ContiguousArray<UInt8>()\n    all.reserveCapacity(nodes &* stride)\n",
            append: "all.append(contentsOf: repeatElement(0, count: stride))\n"
                + "        all.withUnsafeMutableBytes { raw in layoutlabPlace(raw.baseAddress! + i &* stride, \(head), sweptLength, \(offset), initialize: true) }",
            handle: "\(holder)(all, live: nodes, stride: stride)")
        let locate = "let at = base! + i &* stride\nlet record = at.assumingMemoryBound(to: \(record).self)\nlet tail = (at + MemoryLayout<\(record)>.size).assumingMemoryBound(to: UInt8.self)\n"
        let reads = locate + stored.map { "sum &+= \(fold($0, "record.pointee.\($0.property)", valueLayout: true))" }.joined(separator: "\n")
            + "\nsum &+= Int(tail[0]) &+ Int(tail[sweptLength &- 1])\n_ = record"
        let writes = locate + stored.compactMap { bump($0, "record.pointee.\($0.property)") }.joined(separator: "\n")
            + "\ntail[0] &+= 1; tail[sweptLength &- 1] &+= 1\n_ = record"
        let overwrite = "layoutlabPlace(base! + i &* stride, \(head), sweptLength, \(offset), initialize: false)"
        let live = "trial.live"
        text += phaseEntry(
            symbol: symbol, holder: holder, live: live, storage: ["all"], nodes: live,
            setup: "    let stride = trial.stride\n    let base = all.withUnsafeMutableBytes { $0.baseAddress }\n"
        ) { kind in
            switch kind {
            case .traverse: ordered(body: reads, live: live)
            case .mutate: ordered(body: writes, live: live)
            case .freeHalf, .reallocate: "        applicable = 0\n" + segments(index: "w", body: "_ = i", live: live)
            case .churn: "        guard let permutation, nodes > 0 else { break }\n" + segments(index: "permutation[w % nodes]", body: overwrite, live: live)
            case .freeAll: segments(index: "w", body: "if w == 0 {\n    layoutlabDeinitialize(\(record).self, base, trial.live, stride)\n    all = []\n    trial.live = 0\n}", live: live)
            case .allocate, .allocateWarm, .purge, .remoteFree, .fork, .idle: nil
            }
        }
        return text
    }

    /// The record of node `i` (value layouts: references are indices).
    private func recordValue() -> String {
        "\(prefix)Record(\(members.map { "\($0.property): \(value($0, nodes: nil))" }.joined(separator: ", ")))"
    }

    /// The allocate entry point: `prologue` (the baseline checkpoint, the container reservation and the
    /// container-ready marker, in the layout's order), then `append` for each node in checkpoint segments.
    private func allocateEntry(symbol: String, prologue: String, append: String, handle: String) -> String {
        declarationHead(symbol, GeneratedCodeABI.allocateSignature) + "\n" + prologue + """
            var i = 0
            for k in 0..<count {
                let end = checkpoints[k]
                while i < end {
                    \(append)
                    i &+= 1
                }
                checkpoint(context, i)
            }
            return Unmanaged.passRetained(\(handle)).toOpaque()
        }

        """
    }

    /// The phase entry point: switches on `PhaseSpec.Kind.generatedCode`, running `body(kind)` for every
    /// kind that has a code (`body` returns nil for the others). Work item w runs between checkpoints; the
    /// result holds the checksum, the live nodes at the end, and 0 where the phase cannot apply to the layout
    /// (value arrays cannot free single nodes), in `GeneratedCodeABI.PhaseResult` slots.
    private func phaseEntry(
        symbol: String, holder: String, live: String, storage: [String] = ["all"], nodes: String? = nil, setup: String = "",
        body: (PhaseSpec.Kind) -> String?
    ) -> String {
        let phaseSymbol = GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol)
        let counted = live.hasPrefix("created")
        let takes = storage.map { "    var \($0) = trial.\($0)\n    trial.\($0) = []\n" }.joined()
            + (counted ? "    var created = trial.created\n" : "")
        let gives = storage.map { "    trial.\($0) = \($0)\n" }.joined() + (counted ? "    trial.created = created\n" : "")
        var text = declarationHead(phaseSymbol, GeneratedCodeABI.phaseSignature) + """
                let trial = Unmanaged<\(holder)>.fromOpaque(handle).takeUnretainedValue()
                // The arrays are moved into locals for the phase, so the loops touch no class property.

            """
        text += takes + setup
        text += """
                let nodes = \(nodes ?? "\(storage[0]).count")
                var sum = 0
                var applicable = 1
                var w = 0
                checkpoint(context, \(live))
                switch phase {

            """
        for kind in PhaseSpec.Kind.allCases {
            guard let code = kind.generatedCode else { continue }
            guard let phaseBody = body(kind) else { preconditionFailure("the generator has no code for phase \(kind.rawValue)") }
            text += "    case \(code):  // \(kind.rawValue)\n" + phaseBody
        }
        text += "    default:\n        applicable = 0\n    }\n"
        text += gives
        typealias Slot = GeneratedCodeABI.PhaseResult
        text += "    result[\(Slot.checksum.rawValue)] = sum\n    result[\(Slot.liveNodes.rawValue)] = \(live)\n"
        text += "    result[\(Slot.applicable.rawValue)] = applicable\n    _ = nodes\n}\n"
        return text
    }
}
