/// What the Swift runtime asked the allocator for while `probeNodes` nodes were built again with the
/// allocation counter on: `requested` is the size passed to `swift_allocObject`, `usable` the allocator's
/// `malloc_usable_size` of what it returned, both in bytes. The container (the array of references that
/// class layouts keep) is counted apart from the nodes.
package struct AllocationProbe: Equatable, Sendable {
    package var probeNodes: Int
    package var containerAllocations: Int
    package var containerRequestedBytes: Int
    package var containerUsableBytes: Int
    package var nodeAllocations: Int
    package var nodeRequestedBytes: Int
    package var nodeUsableBytes: Int

    package init(
        probeNodes: Int, containerAllocations: Int, containerRequestedBytes: Int, containerUsableBytes: Int,
        nodeAllocations: Int, nodeRequestedBytes: Int, nodeUsableBytes: Int
    ) {
        self.probeNodes = probeNodes
        self.containerAllocations = containerAllocations
        self.containerRequestedBytes = containerRequestedBytes
        self.containerUsableBytes = containerUsableBytes
        self.nodeAllocations = nodeAllocations
        self.nodeRequestedBytes = nodeRequestedBytes
        self.nodeUsableBytes = nodeUsableBytes
    }
}
