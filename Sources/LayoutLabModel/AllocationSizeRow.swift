import LayoutLabProtocol

/// One row of `allocation-sizes.csv`: the node allocations of one requested size that a trial's probe counted.
/// `requestedBytes`: the size passed to `swift_allocObject`; `allocations`: how many; `usableBytes`: the
/// `malloc_usable_size` of one of them (the sum over them ÷ `allocations`, bytes), i.e. what this allocator
/// hands out for that request.
public struct AllocationSizeRow: Equatable, Sendable {
    public var trialID: String
    public var requestedBytes: Int
    public var allocations: Int
    public var usableBytes: Double?

    package init(trialID: String, requestedBytes: Int, allocations: Int, usableBytes: Double?) {
        self.trialID = trialID
        self.requestedBytes = requestedBytes
        self.allocations = allocations
        self.usableBytes = usableBytes
    }

    /// What a reader fills in.
    package static let blank = AllocationSizeRow(trialID: "", requestedBytes: 0, allocations: 0, usableBytes: nil)

    /// A trial's rows, ascending by requested size; none without a probe.
    package static func rows(of result: TrialResult) -> [AllocationSizeRow] {
        (result.probe?.sizes ?? []).sorted { $0.requestedBytes < $1.requestedBytes }.map { size in
            AllocationSizeRow(
                trialID: result.trial.id, requestedBytes: size.requestedBytes, allocations: size.allocations,
                usableBytes: size.allocations > 0 ? Double(size.usableBytesSum) / Double(size.allocations) : nil)
        }
    }
}
