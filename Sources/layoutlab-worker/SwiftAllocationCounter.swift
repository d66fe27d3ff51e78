import CLayoutLabShims
import LayoutLabProtocol

/// Allocations the Swift runtime made while the counter was on: how many, the bytes requested from
/// `swift_allocObject`, and the usable bytes the allocator handed back; the same for the allocations whose
/// metadata was the node class's (the node's own object); and how many allocations fell in no size bin.
struct SwiftAllocationTotals {
    var allocations: Int
    var requestedBytes: Int
    var usableBytes: Int
    var objectAllocations: Int
    var objectRequestedBytes: Int
    var objectUsableBytes: Int
    var unbinnedAllocations: Int

    init(_ totals: ll_allocation_totals) {
        allocations = Int(totals.allocations)
        requestedBytes = Int(totals.requested_bytes)
        usableBytes = Int(totals.usable_bytes)
        objectAllocations = Int(totals.object_allocations)
        objectRequestedBytes = Int(totals.object_requested_bytes)
        objectUsableBytes = Int(totals.object_usable_bytes)
        unbinnedAllocations = Int(totals.unbinned_allocations)
    }
}

/// The table the counting hook sorts allocations into by requested size: allocated once, before counting
/// starts, with twice as many bins as `AllocationProbe.maximumDistinctSizes` (a power of two), so that the
/// hook never allocates.
final class AllocationSizeTable {
    let bins: UnsafeMutableBufferPointer<ll_allocation_size_bin>

    init(distinctSizes: Int = AllocationProbe.maximumDistinctSizes) {
        var capacity = 2
        while capacity < 2 * distinctSizes { capacity *= 2 }
        bins = .allocate(capacity: capacity)
        bins.initialize(repeating: ll_allocation_size_bin())
    }

    deinit { bins.deallocate() }

    /// The bins in use, ascending by requested size (built after counting stops: this allocates).
    var sizes: [AllocationSizeCount] {
        bins.filter { $0.allocations > 0 }
            .map { AllocationSizeCount(requestedBytes: Int($0.requested_bytes), allocations: Int($0.allocations), usableBytesSum: Int($0.usable_bytes)) }
            .sorted { $0.requestedBytes < $1.requestedBytes }
    }
}

/// The runtime's allocation hook, switched on and off around the probe.
enum SwiftAllocationCounter {
    /// Turns counting on from zero; false when the runtime has no hook. Allocations with `nodeMetadata` count as
    /// node objects; with a `table`, every allocation is also counted by its requested size.
    static func start(nodeMetadata: UnsafeRawPointer? = nil, table: AllocationSizeTable? = nil) -> Bool {
        ll_swift_allocation_counter_start(nodeMetadata, table?.bins.baseAddress, table?.bins.count ?? 0) == 0
    }

    /// Turns counting off and returns what it counted.
    static func stop() -> SwiftAllocationTotals {
        var totals = ll_allocation_totals()
        ll_swift_allocation_counter_stop(&totals)
        return SwiftAllocationTotals(totals)
    }
}
