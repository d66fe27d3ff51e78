import LayoutLabModel
import LayoutLabProtocol

/// The threaded entry points of one shape (or sweep family) and layout (`GeneratedCodeABI.ThreadedPrepareEntry`,
/// `ThreadedSliceEntry`, `ThreadedFinishEntry`). Unlike the classic phase entry, which moves the arrays out of the
/// holder into locals, these work on a container that several threads use at once: one raw allocation of N slots
/// per array (a ContiguousArray cannot be filled in place by several threads; a raw block is the same single
/// allocation without the array header, and like `reserveCapacity` writes no slot). Each thread writes only the
/// slots of its own slice, so no slot is ever written by two threads. A heap node's reference points at the even
/// node `sliceStart + ((j − 1) >> 1) & ~1` of its own slice (j = i − sliceStart, sliceStart even): the same tree
/// as the classic layout inside each slice, built by the thread that owns it, with every odd node unreferenced.
///
/// Frees: a heap node's `deinit` counts into `layoutlabFreedNodes` in the classic trial; once a prepare entry
/// has run it counts into the calling thread's own counter (`pthread_getspecific`), so no two threads share a
/// counter. The classic path pays one load of a Bool and a predictable branch for this.
///
/// Swept `bytes` shapes (tail-allocated nodes, byte columns) have no threaded entries: the validator refuses
/// threads with them.
extension ShapeSource {
    /// Whether this shape or family has threaded entry points.
    var hasThreadedEntries: Bool { !tailBytes }

    /// The prelude every generated file carries for threads: the per-thread free counter's key and the flag
    /// that switches `deinit` over to it.
    static let threadsPrelude = """
        #if canImport(Glibc)
        import Glibc
        #endif

        public typealias \(GeneratedCodeABI.threadCheckpointTypeName) = \(GeneratedCodeABI.threadCheckpointTypeSource)

        /// Set by the first threaded prepare entry: from then on `deinit` counts into the thread's own counter.
        nonisolated(unsafe) var layoutlabThreadedFrees = false
        /// The key of each pool thread's free counter (an `UnsafeMutablePointer<Int>`, set by each slice call).
        nonisolated(unsafe) var layoutlabFreedKey = pthread_key_t()

        /// Counts one node's `deinit`: the process-wide count in the classic trial, the thread's own otherwise.
        @inline(__always) func layoutlabCountFree() {
            if _slowPath(layoutlabThreadedFrees) {
                pthread_getspecific(layoutlabFreedKey)?.assumingMemoryBound(to: Int.self).pointee &+= 1
            } else {
                layoutlabFreedNodes &+= 1
            }
        }

        /// Called by every threaded prepare entry, on the sampling thread, before any pool thread works.
        func layoutlabEnableThreadedFrees() {
            guard !layoutlabThreadedFrees else { return }
            pthread_key_create(&layoutlabFreedKey, nil)
            layoutlabThreadedFrees = true
        }

        """

    /// The reads (traverse) and writes (mutate) of a heap node `node`, one statement a line.
    func heapFieldAccess(_ layout: LayoutKind) -> (reads: String, writes: String) {
        let type = nodeType(layout)
        let reads: String
        let writes: String
        if layout == .dictClass {
            reads = members.map { field -> String in
                let cast = field.type == .reference ? type : swiftType(field, referencing: nil, dictionary: true)
                let read = field.type == .reference
                    ? "((node.fields[\"\(field.name)\"] as? \(cast)) == nil ? 0 : 1)"
                    : "((node.fields[\"\(field.name)\"] as? \(cast)).map { \(fold(field, "$0")) } ?? 0)"
                return "sum &+= \(read)"
            }.joined(separator: "\n    ")
            writes = members.compactMap { field -> String? in
                guard let next = bump(field, "value") else { return nil }
                let key = "node.fields[\"\(field.name)\"]"
                // A buffer or array is uniquely referenced once the dictionary lets go of it (an Int
                // placeholder, stored inline in the Any): the write then changes it in place, no copy.
                let release = field.type == .bytes || field.type == .array ? "\(key) = 0; " : ""
                return "if var value = \(key) as? \(swiftType(field, referencing: nil, dictionary: true)) { \(release)\(next); \(key) = value }"
            }.joined(separator: "\n    ")
        } else {
            let access = tailBytes ? "node.header." : "node."
            var folded = stored.map { "sum &+= \(fold($0, access + $0.property))" }
            var bumped = stored.compactMap { bump($0, access + $0.property) }
            if tailBytes {
                folded.append("sum &+= node.withUnsafeMutablePointerToElements { Int($0[0]) &+ Int($0[sweptLength &- 1]) }")
                bumped.append("node.withUnsafeMutablePointerToElements { $0[0] &+= 1; $0[sweptLength &- 1] &+= 1 }")
            }
            reads = folded.joined(separator: "\n    ")
            writes = bumped.joined(separator: "\n    ")
        }
        return (reads, writes)
    }

    private func threadedHead(_ name: String, _ signature: GeneratedCodeABI.Signature) -> String {
        if swept == nil {
            return "@_cdecl(\"\(name)\")\npublic func \(name)(\n    \(signature.parameterList)\n)\(signature.resultClause) {\n"
        }
        return "@inline(never)\nfunc \(name)(\n    _ sweptLength: Int, \(signature.parameterList)\n)\(signature.resultClause) {\n"
    }

    /// The reference of node `i` inside its slice, as the field's value (heap: the node, value layouts: its index).
    private func slicedValue(_ member: Member, nodes: String?, dictionary: Bool = false) -> String {
        guard member.type == .reference else { return value(member, nodes: nodes, dictionary: dictionary) }
        let target = "sliceStart &+ (((i &- sliceStart &- 1) >> 1) & ~1)"
        return nodes.map { "(i == sliceStart ? nil : \($0)[\(target)])" } ?? "(i == sliceStart ? -1 : \(target))"
    }

    /// A new heap node `i` whose reference points into its slice of `all`.
    private func slicedNode(_ layout: LayoutKind) -> String {
        let type = nodeType(layout)
        if layout == .dictClass {
            let inserts = members.map { field in
                let rendered = field.type == .reference
                    ? "\(slicedValue(field, nodes: "all")) as \(type)? as Any"
                    : value(field, nodes: nil, dictionary: true)
                return "fields[\"\(field.name)\"] = \(rendered); "
            }.joined()
            return "\(type)(fields: { var fields = [String: Any](minimumCapacity: \(members.count)); \(inserts)return fields }())"
        }
        return "\(type)(\(members.map { slicedValue($0, nodes: "all") }.joined(separator: ", ")))"
    }

    /// A loop over work items w from `first` in `count` segments ending at the absolute counts in `checkpoints`,
    /// calling back with the items done and the thread's live change after each.
    private func threadSegments(index: String, body: String, live: String) -> String {
        """
                for k in 0..<count {
                    let stop = checkpoints[k]
                    while w < stop {
                        let i = \(index)
            \(body.split(separator: "\n").map { "            " + $0 }.joined(separator: "\n"))
                        w &+= 1
                    }
                    checkpoint(context, w &- first, \(live))
                }

            """
    }

    private func threadOrdered(body: String, live: String) -> String {
        "        if let permutation {\n" + threadSegments(index: "permutation[w]", body: body, live: live)
            + "        } else {\n" + threadSegments(index: "w", body: body, live: live) + "        }\n"
    }

    private var churnIndex: String { "permutation[sliceStart &+ (w &- first) % sliceLength]" }

    /// The three threaded entry points of `layout`, with their holder class; empty for Python layouts and swept bytes.
    func threadedEntryPoints(for layout: LayoutKind) -> String {
        guard !layout.isPython, hasThreadedEntries else { return "" }
        let symbol = functionName(layout)
        let holder = "\(prefix)\(layout.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())Threads"
        let prepare = GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: symbol)
        let slice = GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: symbol)
        let finish = GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: symbol)
        let heap = layout == .finalClass || layout == .openClass || layout == .dictClass
        let type = nodeType(layout)
        // The containers: name and element type of each raw block of N slots.
        let storage: [(name: String, type: String)] = switch layout {
        case .columns: members.map { ($0.property, swiftType($0, referencing: nil)) }
        case .structArray: [("all", type)]
        default: [("all", "\(type)?")]
        }
        var text = "\n/// The container of a threaded \(layout.rawValue) trial: one block of N slots"
            + (storage.count > 1 ? " per column" : "") + ", each slot written only by the thread whose slice holds it.\n"
        text += "final class \(holder) {\n"
        text += storage.map { "    let \($0.name): UnsafeMutablePointer<\($0.type)>\n" }.joined()
        text += "    let nodes: Int\n    var released = false\n"
        text += "    init(_ nodes: Int) {\n        self.nodes = nodes\n"
        text += storage.map { "        \($0.name) = .allocate(capacity: max(nodes, 1))\n" }.joined() + "    }\n"
        text += "    /// Deinitializes every slot (a heap layout's are nil after free-all) and frees the blocks, once.\n"
        text += "    func release() {\n        guard !released else { return }\n        released = true\n"
        text += storage.map { "        \($0.name).deinitialize(count: nodes)\n        \($0.name).deallocate()\n" }.joined()
        text += "    }\n    deinit { release() }\n}\n\n"

        text += threadedHead(prepare, GeneratedCodeABI.threadedPrepareSignature)
        text += "    layoutlabEnableThreadedFrees()\n    return Unmanaged.passRetained(\(holder)(nodes)).toOpaque()\n}\n\n"

        let live = heap ? "created &- freed.pointee" : "created &- dropped"
        text += threadedHead(slice, GeneratedCodeABI.threadedSliceSignature)
        text += "    let trial = Unmanaged<\(holder)>.fromOpaque(handle).takeUnretainedValue()\n"
        text += storage.map { "    let \($0.name) = trial.\($0.name)\n" }.joined()
        text += heap ? "    pthread_setspecific(layoutlabFreedKey, freed)\n" : "    var dropped = 0\n"
        text += """
                let sliceLength = sliceEnd &- sliceStart
                var created = 0
                var sum = 0
                var applicable = 1
                var w = first
                switch phase {

            """
        typealias Kind = PhaseSpec.Kind
        func code(_ kind: Kind) -> Int { kind.generatedCode ?? -1 }
        text += "    case \(GeneratedCodeABI.threadedAllocateCode):  // allocate\n"
        if heap {
            let (reads, writes) = heapFieldAccess(layout)
            text += threadSegments(index: "w", body: "(all + i).initialize(to: \(slicedNode(layout)))\ncreated &+= 1", live: live)
            text += "    case \(code(.traverse)):  // traverse\n"
                + threadOrdered(body: "if let node = all[i] {\n    \(reads)\n}", live: live)
            text += "    case \(code(.mutate)):  // mutate\n"
                + threadOrdered(body: "if let node = all[i] {\n    \(writes.isEmpty ? "_ = node" : writes)\n}", live: live)
            text += "    case \(code(.freeHalf)):  // free-half\n" + threadSegments(index: "2 &* w &+ 1", body: "all[i] = nil", live: live)
            text += "    case \(code(.reallocate)):  // reallocate\n"
                + threadSegments(index: "2 &* w &+ 1", body: "all[i] = \(slicedNode(layout))\ncreated &+= 1", live: live)
            text += "    case \(code(.churn)):  // churn\n        guard let permutation, sliceLength > 0 else { break }\n"
                + threadSegments(index: churnIndex, body: "all[i] = \(slicedNode(layout))\ncreated &+= 1", live: live)
            text += "    case \(code(.freeAll)):  // free-all, remote-free\n" + threadSegments(index: "w", body: "all[i] = nil", live: live)
        } else {
            let element = { (member: Member) in layout == .structArray ? "all[i].\(member.property)" : "\(member.property)[i]" }
            let record = "\(prefix)Record(\(members.map { "\($0.property): \(slicedValue($0, nodes: nil))" }.joined(separator: ", ")))"
            let build = layout == .structArray
                ? "(all + i).initialize(to: \(record))"
                : members.map { "(\($0.property) + i).initialize(to: \(slicedValue($0, nodes: nil)))" }.joined(separator: "\n")
            let overwrite = layout == .structArray
                ? "all[i] = \(record)"
                : members.map { "\($0.property)[i] = \(slicedValue($0, nodes: nil))" }.joined(separator: "\n")
            let reads = members.map { "sum &+= \(fold($0, element($0), valueLayout: true))" }.joined(separator: "\n")
            let writes = members.compactMap { bump($0, element($0)) }.joined(separator: "\n")
            text += threadSegments(index: "w", body: build + "\ncreated &+= 1", live: live)
            text += "    case \(code(.traverse)):  // traverse\n" + threadOrdered(body: reads.isEmpty ? "_ = i" : reads, live: live)
            text += "    case \(code(.mutate)):  // mutate\n" + threadOrdered(body: writes.isEmpty ? "_ = i" : writes, live: live)
            text += "    case \(code(.freeHalf)), \(code(.reallocate)):  // free-half, reallocate: value arrays free no single node\n"
                + "        applicable = 0\n" + threadSegments(index: "w", body: "_ = i", live: live)
            text += "    case \(code(.churn)):  // churn\n        guard let permutation, sliceLength > 0 else { break }\n"
                + threadSegments(index: churnIndex, body: overwrite, live: live)
            text += "    case \(code(.freeAll)):  // free-all, remote-free: the thread whose slice starts at node 0 releases every block\n"
                + "        if sliceStart == 0 {\n            trial.release()\n            dropped = trial.nodes\n        }\n"
                + threadSegments(index: "w", body: "_ = i", live: live)
        }
        text += "    default:\n        applicable = 0\n    }\n"
        typealias Slot = GeneratedCodeABI.PhaseResult
        text += "    result[\(Slot.checksum.rawValue)] = sum\n    result[\(Slot.liveNodes.rawValue)] = \(live)\n"
        text += "    result[\(Slot.applicable.rawValue)] = applicable\n"
        text += storage.map { "    _ = \($0.name)\n" }.joined() + "    _ = sliceLength\n}\n\n"

        text += threadedHead(finish, GeneratedCodeABI.threadedFinishSignature)
        text += "    let trial = Unmanaged<\(holder)>.fromOpaque(handle).takeUnretainedValue()\n"
        text += "    if phase == \(code(.freeAll)) { trial.release() }\n}\n"
        return text
    }

    /// A sweep member's threaded wrappers around its family's threaded entry points.
    func threadedMemberWrappers(symbol: String, family: String, length: Int) -> String {
        guard hasThreadedEntries else { return "" }
        let pairs: [(String, String, GeneratedCodeABI.Signature)] = [
            (GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: symbol), GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: family),
             GeneratedCodeABI.threadedPrepareSignature),
            (GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: symbol), GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: family),
             GeneratedCodeABI.threadedSliceSignature),
            (GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: symbol), GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: family),
             GeneratedCodeABI.threadedFinishSignature),
        ]
        return pairs.map { wrapped, inner, signature in
            let arguments = signature.parameters.map(\.name).joined(separator: ", ")
            return "@_cdecl(\"\(wrapped)\")\npublic func \(wrapped)(\(signature.parameterList))\(signature.resultClause) { \(inner)(\(length), \(arguments)) }\n"
        }.joined()
    }
}
