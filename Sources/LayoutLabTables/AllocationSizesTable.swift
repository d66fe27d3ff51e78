import LayoutLabModel
import LayoutLabProtocol

/// `allocation-sizes.csv`: one row per trial × distinct requested size among the node allocations its probe
/// counted (`AllocationSizeRow`): `requested_bytes` and `usable_bytes` (of one such allocation) in bytes,
/// `allocations` a count. A trial without a probe (Python layouts, a runtime without the hook) has no row.
package enum AllocationSizesTable {
    package static let schema = CSVSchema<AllocationSizeRow>([
        CSVColumn("trial_id", \.trialID, .text),
        CSVColumn("requested_bytes", \.requestedBytes, .integer),
        CSVColumn("allocations", \.allocations, .integer),
        CSVColumn("usable_bytes", \.usableBytes, .thousandths),
    ])

    package static let header = schema.header

    /// Reads cells in header order.
    package static func row(_ cells: [String]) -> AllocationSizeRow { schema.row(cells, into: AllocationSizeRow.blank) }
}
