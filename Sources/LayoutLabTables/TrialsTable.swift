import LayoutLabModel
import LayoutLabProtocol

/// `trials.csv`: one row per trial. Byte figures are per node unless the name says otherwise.
public enum TrialsTable {
    public static let header = [
        "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes",
        "payload_alignment_bytes", "nodes", "allocator", "repetition", "status", "allocate_ns_per_node",
        "requested_bytes_per_node", "usable_bytes_per_node", "rss_bytes_per_node",
        "allocator_allocated_bytes_per_node", "allocator_active_bytes_per_node", "container_bytes_per_node",
        "baseline_rss_bytes", "peak_rss_bytes", "sample_count", "sampling_ns", "sampling_fraction", "probe_nodes",
        "malloc_provider", "allocator_version", "wall_ns", "message", "getsizeof_bytes_per_node",
        "tracemalloc_bytes_per_node", "host", "trial_peak_rss_bytes", "precision_reached",
        "precision_relative_half_width", "warm_allocate_ns_per_node", "warm_allocate_rss_bytes_per_node",
        "allocate_cpu_ns_per_node", "allocate_minor_faults_per_node",
        "allocate_instructions_per_node", "allocate_cycles_per_node", "instructions_source",
        "allocate_involuntary_switches", "allocate_steal_ns", "allocate_neighbour_cpu_ns",
        "attempt", "disturbed", "disturbance",
    ]

    /// Columns that name, label or describe a trial rather than measure it.
    package static let descriptiveColumns: Set<String> = [
        "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes",
        "payload_alignment_bytes", "nodes", "allocator", "repetition", "status", "malloc_provider", "allocator_version",
        "message", "host", "precision_reached", "precision_relative_half_width", "instructions_source",
        "attempt", "disturbed", "disturbance",
    ]

    /// Every column of the table that measures something.
    public static var metricColumns: [String] { header.filter { !descriptiveColumns.contains($0) } }

    /// The columns a precision target can be set on: the per-node costs (`*_per_node`), positive wherever they
    /// measure something. Totals such as `allocate_steal_ns` are 0 on a quiet machine and
    /// `allocate_neighbour_cpu_ns` can be negative: a half-width relative to their mean means nothing.
    public static var precisionColumns: [String] { metricColumns.filter { $0.hasSuffix("_per_node") } }

    public static func row(_ record: TrialRecord) -> [String?] {
        let trial = record.trial
        let payload = trial.shape.payload
        let metrics = record.metrics
        return [
            trial.id, trial.experiment, trial.layout.rawValue, trial.shape.name, trial.shape.fieldSummary,
            String(payload.sizeBytes), String(payload.strideBytes), String(payload.alignmentBytes),
            String(trial.nodes), trial.allocator.name, String(trial.repetition), record.status.description,
            CSVNumber.cell(metrics.allocateNsPerNode), CSVNumber.cell(metrics.requestedBytesPerNode),
            CSVNumber.cell(metrics.usableBytesPerNode), CSVNumber.cell(metrics.rssBytesPerNode),
            CSVNumber.cell(metrics.allocatorAllocatedBytesPerNode), CSVNumber.cell(metrics.allocatorActiveBytesPerNode),
            CSVNumber.cell(metrics.containerBytesPerNode), CSVNumber.cell(metrics.baselineRSSBytes),
            CSVNumber.cell(metrics.peakRSSBytes), String(record.sampleCount), CSVNumber.cell(metrics.samplingNs),
            CSVNumber.cell(metrics.samplingFraction), CSVNumber.cell(record.probeNodes), record.mallocProvider,
            record.allocatorVersion, CSVNumber.cell(record.wallNs), record.message,
            CSVNumber.cell(metrics.getsizeofBytesPerNode), CSVNumber.cell(metrics.tracemallocBytesPerNode), record.host,
            CSVNumber.cell(metrics.trialPeakRSSBytes), record.precisionReached.map { $0 ? "true" : "false" },
            precisionCell(record.precisionRelativeHalfWidth),
            CSVNumber.cell(metrics.warmAllocateNsPerNode), CSVNumber.cell(metrics.warmAllocateRSSBytesPerNode),
            CSVNumber.cell(metrics.allocateCPUNsPerNode), CSVNumber.cell(metrics.allocateMinorFaultsPerNode),
            CSVNumber.cell(metrics.allocateInstructionsPerNode), CSVNumber.cell(metrics.allocateCyclesPerNode),
            record.instructionsSource?.rawValue, CSVNumber.cell(metrics.allocateInvoluntarySwitches),
            CSVNumber.cell(metrics.allocateStealNs), CSVNumber.cell(metrics.allocateNeighbourCPUNs),
            String(record.attempt), record.disturbed.map { $0 ? "true" : "false" }, record.disturbance,
        ]
    }

    /// Six significant digits: a half-width of 0.00001 must not print as 0.000.
    package static func precisionCell(_ value: Double?) -> String? {
        guard let value, value.isFinite else { return nil }
        return String(format: "%.6g", value)
    }

    /// Reads a row back; `trials` maps the experiment's trial ids to trials. Nil for a row that does not
    /// belong to the experiment or is not a row of this table.
    public static func record(_ cells: [String: String], trials: [String: Trial]) -> TrialRecord? {
        guard let id = cells["trial_id"], let trial = trials[id], let status = cells["status"].flatMap(TrialStatus.init)
        else { return nil }
        func double(_ column: String) -> Double? { cells[column].flatMap { Double($0) } }
        func int(_ column: String) -> Int? { cells[column].flatMap { Int($0) } }
        func text(_ column: String) -> String? { cells[column].flatMap { $0.isEmpty ? nil : $0 } }
        let metrics = TrialMetrics(
            allocateNsPerNode: double("allocate_ns_per_node"), rssBytesPerNode: double("rss_bytes_per_node"),
            allocatorAllocatedBytesPerNode: double("allocator_allocated_bytes_per_node"),
            allocatorActiveBytesPerNode: double("allocator_active_bytes_per_node"),
            requestedBytesPerNode: double("requested_bytes_per_node"), usableBytesPerNode: double("usable_bytes_per_node"),
            containerBytesPerNode: double("container_bytes_per_node"), baselineRSSBytes: int("baseline_rss_bytes"),
            peakRSSBytes: int("peak_rss_bytes"), trialPeakRSSBytes: int("trial_peak_rss_bytes"), samplingNs: int("sampling_ns"), samplingFraction: double("sampling_fraction"),
            getsizeofBytesPerNode: double("getsizeof_bytes_per_node"),
            tracemallocBytesPerNode: double("tracemalloc_bytes_per_node"),
            warmAllocateNsPerNode: double("warm_allocate_ns_per_node"),
            warmAllocateRSSBytesPerNode: double("warm_allocate_rss_bytes_per_node"),
            allocateCPUNsPerNode: double("allocate_cpu_ns_per_node"),
            allocateMinorFaultsPerNode: double("allocate_minor_faults_per_node"),
            allocateInstructionsPerNode: double("allocate_instructions_per_node"),
            allocateCyclesPerNode: double("allocate_cycles_per_node"),
            allocateInvoluntarySwitches: int("allocate_involuntary_switches"), allocateStealNs: int("allocate_steal_ns"),
            allocateNeighbourCPUNs: int("allocate_neighbour_cpu_ns"))
        var record = TrialRecord(
            trial: trial, status: status, metrics: metrics, sampleCount: int("sample_count") ?? 0,
            probeNodes: int("probe_nodes"), mallocProvider: text("malloc_provider"),
            allocatorVersion: text("allocator_version"), wallNs: int("wall_ns"), message: text("message"),
            host: text("host"), instructionsSource: text("instructions_source").flatMap(InstructionSource.init(rawValue:)))
        record.precisionReached = cells["precision_reached"].flatMap { ["true": true, "false": false][$0] }
        record.precisionRelativeHalfWidth = double("precision_relative_half_width")
        // Rows written before reruns existed were each a first attempt.
        record.attempt = int("attempt") ?? 1
        record.disturbed = cells["disturbed"].flatMap { ["true": true, "false": false][$0] }
        record.disturbance = text("disturbance")
        return record
    }
}

/// `samples.csv`: one row per sample, all sizes in bytes; `elapsed_ns` excludes sampling, `sample_ns` is
/// the sample's own cost.
public enum SamplesTable {
    /// The columns that say which sample a row is; the sample's figures follow, in `MemorySample.Field` order.
    static let identityColumns = ["trial_id", "phase_index", "phase"]

    public static let header = identityColumns + MemorySample.Field.allCases.map(\.column)

    /// `phases` names the phases by index (the experiment's list).
    public static func rows(_ result: TrialResult, phases: [PhaseSpec]) -> [[String?]] {
        result.phaseSamples.map { entry in
            let name = entry.phaseIndex < phases.count ? phases[entry.phaseIndex].kind.rawValue : "?"
            return [result.trial.id, String(entry.phaseIndex), name] + entry.sample.values.map(CSVNumber.cell)
        }
    }
}
