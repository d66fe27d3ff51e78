import LayoutLabSampling

/// `samples.csv`: one row per sample, all sizes in bytes; `elapsed_ns` excludes sampling, `sample_ns` is
/// the sample's own cost.
public enum SamplesTable {
    /// The columns of one `MemorySample`, in the order the table writes them.
    public static let sampleColumns: [CSVColumn<MemorySample>] = [
        CSVColumn("nodes_alive", \.nodesAlive, .integer),
        CSVColumn("elapsed_ns", \.elapsedNs, .integer),
        CSVColumn("rss_bytes", \.rssBytes, .integer),
        CSVColumn("rss_anon_bytes", \.rssAnonBytes, .integer),
        CSVColumn("smaps_rss_bytes", \.smapsRSSBytes, .integer),
        CSVColumn("pss_bytes", \.pssBytes, .integer),
        CSVColumn("private_dirty_bytes", \.privateDirtyBytes, .integer),
        CSVColumn("anonymous_bytes", \.anonymousBytes, .integer),
        CSVColumn("vm_hwm_bytes", \.vmHWMBytes, .integer),
        CSVColumn("allocator_allocated_bytes", \.allocator.allocatedBytes, .integer),
        CSVColumn("allocator_active_bytes", \.allocator.activeBytes, .integer),
        CSVColumn("allocator_resident_bytes", \.allocator.residentBytes, .integer),
        CSVColumn("allocator_metadata_bytes", \.allocator.metadataBytes, .integer),
        CSVColumn("allocator_mapped_bytes", \.allocator.mappedBytes, .integer),
        CSVColumn("allocator_retained_bytes", \.allocator.retainedBytes, .integer),
        CSVColumn("sample_ns", \.sampleNs, .integer),
    ]

    public static let schema = CSVSchema<SampleRow>(
        [
            CSVColumn("trial_id", \.trialID, .text),
            CSVColumn("phase_index", \.phaseIndex, .integer),
            CSVColumn("phase", \.phase, .text),
        ] + sampleColumns.map { $0.lifted(\SampleRow.sample) })

    public static let header = schema.header

    /// A trial's rows as cells; `phases` names the phases by index (the experiment's list).
    public static func rows(_ result: TrialResult, phases: [PhaseSpec]) -> [[String?]] {
        SampleRow.rows(of: result, phases: phases).map(schema.cells)
    }

    /// Reads cells in header order.
    public static func row(_ cells: [String]) -> SampleRow { schema.row(cells, into: SampleRow.blank) }
}
