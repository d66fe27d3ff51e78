import CLayoutLabShims

/// Allocations the Swift runtime made while the counter was on: how many, the bytes requested from
/// `swift_allocObject`, and the usable bytes the allocator handed back.
struct SwiftAllocationTotals {
    var allocations: Int
    var requestedBytes: Int
    var usableBytes: Int
}

/// The runtime's allocation hook, switched on and off around the probe.
enum SwiftAllocationCounter {
    /// Turns counting on from zero; false when the runtime has no hook.
    static func start() -> Bool { ll_swift_allocation_counter_start() == 0 }

    /// Turns counting off and returns what it counted.
    static func stop() -> SwiftAllocationTotals {
        var totals = ll_allocation_totals()
        ll_swift_allocation_counter_stop(&totals)
        return SwiftAllocationTotals(
            allocations: Int(totals.allocations), requestedBytes: Int(totals.requested_bytes),
            usableBytes: Int(totals.usable_bytes))
    }
}
