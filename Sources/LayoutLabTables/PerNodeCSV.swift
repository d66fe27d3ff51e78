/// `per-node.csv`: one row per configuration with median, min and max over repetitions (see
/// `PerNodeSummary`); `layout_index` and `allocator_index` (1-based, in the experiment's order) place bars.
public enum PerNodeCSV {
    static let figures: [(name: String, value: @Sendable (PerNodeSummary) -> PerNodeSummary.Spread?)] = [
        ("rss_bytes_per_node", \.rssBytesPerNode),
        ("usable_bytes_per_node", \.usableBytesPerNode),
        ("requested_bytes_per_node", \.requestedBytesPerNode),
        ("container_bytes_per_node", \.containerBytesPerNode),
        ("allocator_allocated_bytes_per_node", \.allocatorAllocatedBytesPerNode),
        ("allocator_active_bytes_per_node", \.allocatorActiveBytesPerNode),
        ("allocate_ns_per_node", \.allocateNsPerNode),
        ("allocate_cpu_ns_per_node", \.allocateCPUNsPerNode),
        ("allocate_minor_faults_per_node", \.allocateMinorFaultsPerNode),
        ("allocate_instructions_per_node", \.allocateInstructionsPerNode),
    ]

    public static var header: [String] {
        ["shape", "fields", "nodes", "layout", "allocator", "layout_index", "allocator_index", "repetitions_ok"]
            + figures.flatMap { ["\($0.name)_median", "\($0.name)_min", "\($0.name)_max"] }
    }

    public static func table(_ summaries: [PerNodeSummary]) -> CSVTable {
        var table = CSVTable(header: header)
        for summary in summaries {
            var row: [String?] = [
                summary.shape.name, summary.shape.fieldSummary, String(summary.nodes), summary.layout.rawValue,
                summary.allocator, String(summary.layoutIndex), String(summary.allocatorIndex), String(summary.repetitionsOK),
            ]
            for figure in figures {
                let spread = figure.value(summary)
                row += [CSVNumber.cell(spread?.median), CSVNumber.cell(spread?.minimum), CSVNumber.cell(spread?.maximum)]
            }
            table.append(row)
        }
        return table
    }
}
