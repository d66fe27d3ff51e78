/// `trials.csv`: one row per trial. Byte figures are per node unless the name says otherwise.
public enum TrialsTable {
    public static let header = [
        "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes",
        "payload_alignment_bytes", "nodes", "allocator", "repetition", "status", "allocate_ns_per_node",
        "requested_bytes_per_node", "usable_bytes_per_node", "rss_bytes_per_node",
        "allocator_allocated_bytes_per_node", "allocator_active_bytes_per_node", "container_bytes_per_node",
        "baseline_rss_bytes", "peak_rss_bytes", "sample_count", "sampling_ns", "sampling_share", "probe_nodes",
        "malloc_provider", "allocator_version", "wall_ns", "message",
    ]

    public static func row(_ result: TrialResult) -> [String?] {
        let trial = result.trial
        let payload = trial.shape.payload
        let metrics = TrialMetrics(result: result)
        return [
            trial.id, trial.experiment, trial.layout.rawValue, trial.shape.name, trial.shape.fieldSummary,
            String(payload.sizeBytes), String(payload.strideBytes), String(payload.alignmentBytes),
            String(trial.nodes), trial.allocator.name, String(trial.repetition), result.status.description,
            CSVNumber.cell(metrics.allocateNsPerNode), CSVNumber.cell(metrics.requestedBytesPerNode),
            CSVNumber.cell(metrics.usableBytesPerNode), CSVNumber.cell(metrics.rssBytesPerNode),
            CSVNumber.cell(metrics.allocatorAllocatedBytesPerNode), CSVNumber.cell(metrics.allocatorActiveBytesPerNode),
            CSVNumber.cell(metrics.containerBytesPerNode), CSVNumber.cell(metrics.baselineRSSBytes),
            CSVNumber.cell(metrics.peakRSSBytes), String(result.samples.count),
            result.samples.isEmpty ? nil : String(metrics.samplingNs), CSVNumber.cell(metrics.samplingShare),
            CSVNumber.cell(result.probe?.probeNodes), result.mallocProvider, result.allocatorVersion,
            String(result.wallNs), result.message,
        ]
    }
}

/// `samples.csv`: one row per sample, all sizes in bytes; `elapsed_ns` excludes sampling, `sample_ns` is
/// the sample's own cost.
public enum SamplesTable {
    public static let header = [
        "trial_id", "phase", "nodes_alive", "elapsed_ns", "rss_bytes", "rss_anon_bytes", "smaps_rss_bytes",
        "pss_bytes", "private_dirty_bytes", "anonymous_bytes", "vm_hwm_bytes", "allocator_allocated_bytes",
        "allocator_active_bytes", "allocator_resident_bytes", "allocator_metadata_bytes",
        "allocator_mapped_bytes", "allocator_retained_bytes", "sample_ns",
    ]

    public static func rows(_ result: TrialResult) -> [[String?]] {
        result.samples.map { sample in
            [
                result.trial.id, "allocate", String(sample.nodesAlive), String(sample.elapsedNs),
                CSVNumber.cell(sample.rssBytes), CSVNumber.cell(sample.rssAnonBytes), CSVNumber.cell(sample.smapsRSSBytes),
                CSVNumber.cell(sample.pssBytes), CSVNumber.cell(sample.privateDirtyBytes),
                CSVNumber.cell(sample.anonymousBytes), CSVNumber.cell(sample.vmHWMBytes),
                CSVNumber.cell(sample.allocator.allocatedBytes), CSVNumber.cell(sample.allocator.activeBytes),
                CSVNumber.cell(sample.allocator.residentBytes), CSVNumber.cell(sample.allocator.metadataBytes),
                CSVNumber.cell(sample.allocator.mappedBytes), CSVNumber.cell(sample.allocator.retainedBytes),
                String(sample.sampleNs),
            ]
        }
    }
}
