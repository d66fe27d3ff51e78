/// `per-node.csv`: one row per configuration with median, min and max over repetitions (see
/// `PerNodeSummary`); `layout_index` and `allocator_index` (1-based, in the experiment's order) place bars;
/// `threads` (last) is the configuration's thread count (1 for the classic trial), a threaded experiment having a
/// row per thread count. `interpreter` and `python_version` name a Python layout's interpreter (empty for Swift
/// layouts), an experiment with several having a row per interpreter.
package enum PerNodeCSV {
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
        ("heap_allocations_per_node", \.heapAllocationsPerNode),
        ("object_requested_bytes_per_node", \.objectRequestedBytesPerNode),
        ("out_of_line_requested_bytes_per_node", \.outOfLineRequestedBytesPerNode),
    ]

    /// Written only: `PerNodeSummary` is computed from the trial records wherever it is needed, so nothing reads
    /// this file back and its columns have no reader.
    package static let schema = CSVSchema<PerNodeSummary>(
        [
            .derived("shape", .text) { $0.shape.name },
            .derived("fields", .text) { $0.shape.fieldSummary },
            .derived("nodes", .integer) { $0.nodes },
            .derived("layout", .text) { $0.layout.rawValue },
            .derived("allocator", .text) { $0.allocator },
            .derived("layout_index", .integer) { $0.layoutIndex },
            .derived("allocator_index", .integer) { $0.allocatorIndex },
            .derived("repetitions_ok", .integer) { $0.repetitionsOK },
        ]
            + figures.flatMap { figure -> [CSVColumn<PerNodeSummary>] in
                [
                    .derived("\(figure.name)_median", .thousandths) { figure.value($0)?.median },
                    .derived("\(figure.name)_min", .thousandths) { figure.value($0)?.minimum },
                    .derived("\(figure.name)_max", .thousandths) { figure.value($0)?.maximum },
                ]
            }
            + [
                .derived("threads", .integer) { $0.threads ?? 1 },
                .derived("interpreter", .text) { $0.python?.path },
                .derived("python_version", .text) { $0.python?.version },
            ])

    package static var header: [String] { schema.header }

    package static func table(_ summaries: [PerNodeSummary]) -> CSVTable { schema.table(summaries) }
}
