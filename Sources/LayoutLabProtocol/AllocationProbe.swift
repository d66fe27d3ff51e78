/// What the Swift runtime asked the allocator for while `probeNodes` nodes were built again with the
/// allocation counter on: `requested` is the size passed to `swift_allocObject`, `usable` the allocator's
/// `malloc_usable_size` of what it returned, both in bytes. The container (the array of references that
/// class layouts keep) is counted apart from the nodes. Of the node allocations, `nodeObject*` are those whose
/// metadata is the layout's node class (the node's own object); the rest are out-of-line storage (string,
/// array and dictionary storage, and every allocation of the value layouts, which have no node object).
/// `sizes`: the node allocations by requested size (`AllocationSizeCount`), ascending; `unbinnedAllocations`:
/// node allocations of a size met after the worker's size table was full (`maximumDistinctSizes`), counted in
/// the totals and in no entry of `sizes`.
package struct AllocationProbe: Equatable, Sendable {
    package var probeNodes: Int
    package var containerAllocations: Int
    package var containerRequestedBytes: Int
    package var containerUsableBytes: Int
    package var nodeAllocations: Int
    package var nodeRequestedBytes: Int
    package var nodeUsableBytes: Int
    package var nodeObjectAllocations: Int
    package var nodeObjectRequestedBytes: Int
    package var nodeObjectUsableBytes: Int
    package var unbinnedAllocations: Int
    package var sizes: [AllocationSizeCount]

    /// The most distinct requested sizes the worker's size table holds (its preallocated table has twice as
    /// many bins, so that a lookup stays short).
    package static let maximumDistinctSizes = 4096

    package init(
        probeNodes: Int, containerAllocations: Int, containerRequestedBytes: Int, containerUsableBytes: Int,
        nodeAllocations: Int, nodeRequestedBytes: Int, nodeUsableBytes: Int, nodeObjectAllocations: Int = 0,
        nodeObjectRequestedBytes: Int = 0, nodeObjectUsableBytes: Int = 0, unbinnedAllocations: Int = 0,
        sizes: [AllocationSizeCount] = []
    ) {
        self.probeNodes = probeNodes
        self.containerAllocations = containerAllocations
        self.containerRequestedBytes = containerRequestedBytes
        self.containerUsableBytes = containerUsableBytes
        self.nodeAllocations = nodeAllocations
        self.nodeRequestedBytes = nodeRequestedBytes
        self.nodeUsableBytes = nodeUsableBytes
        self.nodeObjectAllocations = nodeObjectAllocations
        self.nodeObjectRequestedBytes = nodeObjectRequestedBytes
        self.nodeObjectUsableBytes = nodeObjectUsableBytes
        self.unbinnedAllocations = unbinnedAllocations
        self.sizes = sizes
    }

    /// Node allocations outside the node's own object, and their bytes.
    package var outOfLineAllocations: Int { nodeAllocations - nodeObjectAllocations }
    package var outOfLineRequestedBytes: Int { nodeRequestedBytes - nodeObjectRequestedBytes }
    package var outOfLineUsableBytes: Int { nodeUsableBytes - nodeObjectUsableBytes }

    /// The integer figures of a `probe` reply line, written down once in the order the line carries them;
    /// `sizes` follows them as the line's last field (`AllocationSizeCount.listText`).
    package enum Field: CaseIterable, Sendable {
        case probeNodes, containerAllocations, containerRequestedBytes, containerUsableBytes
        case nodeAllocations, nodeRequestedBytes, nodeUsableBytes
        case nodeObjectAllocations, nodeObjectRequestedBytes, nodeObjectUsableBytes, unbinnedAllocations

        package var keyPath: WritableKeyPath<AllocationProbe, Int> {
            switch self {
            case .probeNodes: \.probeNodes
            case .containerAllocations: \.containerAllocations
            case .containerRequestedBytes: \.containerRequestedBytes
            case .containerUsableBytes: \.containerUsableBytes
            case .nodeAllocations: \.nodeAllocations
            case .nodeRequestedBytes: \.nodeRequestedBytes
            case .nodeUsableBytes: \.nodeUsableBytes
            case .nodeObjectAllocations: \.nodeObjectAllocations
            case .nodeObjectRequestedBytes: \.nodeObjectRequestedBytes
            case .nodeObjectUsableBytes: \.nodeObjectUsableBytes
            case .unbinnedAllocations: \.unbinnedAllocations
            }
        }
    }

    /// The fields of a `probe` reply line after its tag: the integers in `Field` order, then `sizes`.
    package var replyFields: [String] { Field.allCases.map { String(self[keyPath: $0.keyPath]) } + [AllocationSizeCount.listText(sizes)] }

    /// Reads what `replyFields` writes; the error names the field that is not what it should be.
    package init(replyFields fields: ArraySlice<String>) throws(WorkerProtocolError) {
        let expected = Field.allCases.count + 1
        guard fields.count == expected else {
            throw .malformed("a probe line has \(expected) fields after its tag (\(Field.allCases.count) integers and the sizes), got \(fields.count)")
        }
        self.init(
            probeNodes: 0, containerAllocations: 0, containerRequestedBytes: 0, containerUsableBytes: 0, nodeAllocations: 0,
            nodeRequestedBytes: 0, nodeUsableBytes: 0)
        for (field, text) in zip(Field.allCases, fields) {
            guard let value = Int(text), value >= 0 else { throw .malformed("probe field \(field) must be a count, got \(text)") }
            self[keyPath: field.keyPath] = value
        }
        sizes = try AllocationSizeCount.list(fields[fields.endIndex - 1])
        guard nodeObjectAllocations <= nodeAllocations, nodeObjectRequestedBytes <= nodeRequestedBytes,
            nodeObjectUsableBytes <= nodeUsableBytes
        else { throw .malformed("probe: the node objects exceed all node allocations") }
    }
}

/// The node allocations of one requested size in a probe: the size in bytes, how many, and the sum of their
/// `malloc_usable_size`, in bytes.
package struct AllocationSizeCount: Equatable, Sendable {
    package var requestedBytes: Int
    package var allocations: Int
    package var usableBytesSum: Int

    package init(requestedBytes: Int, allocations: Int, usableBytesSum: Int) {
        self.requestedBytes = requestedBytes
        self.allocations = allocations
        self.usableBytesSum = usableBytesSum
    }

    /// `requested:allocations:usable_sum` per size, comma-separated; empty for none.
    package static func listText(_ sizes: [AllocationSizeCount]) -> String {
        sizes.map { "\($0.requestedBytes):\($0.allocations):\($0.usableBytesSum)" }.joined(separator: ",")
    }

    /// Reads what `listText` writes.
    package static func list(_ text: String) throws(WorkerProtocolError) -> [AllocationSizeCount] {
        guard !text.isEmpty else { return [] }
        var sizes: [AllocationSizeCount] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 3, let requested = parts[0], let count = parts[1], let usable = parts[2],
                requested >= 0, count > 0, usable >= 0
            else {
                throw .malformed("probe sizes entry \(entry.prefix(60)) is not requested:allocations:usable_sum (counts, allocations > 0)")
            }
            sizes.append(AllocationSizeCount(requestedBytes: requested, allocations: count, usableBytesSum: usable))
        }
        return sizes
    }
}
