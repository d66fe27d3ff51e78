import LayoutLabModel
import LayoutLabProtocol

/// `trials.csv`: one row per trial. Byte figures are per node unless the name says otherwise.
///
/// - `threads`: threads the trial's work ran on; 1 for the classic trial too (its `trial_id` has no `.tT` part,
///   since it samples between its own work instead of on a thread of its own).
/// - `python_gil_enabled`: Python layouts: `true` unless the interpreter is a free-threaded build running without the GIL.
/// - `interpreter`, `python_version`: Python layouts: the interpreter's real path and version (`3.12.1`), read back
///   from the trial (its `trial_id` names it: `.py3.12` with several interpreters); empty for Swift layouts.
/// - `process_start_rss_bytes`: Python layouts: the worker's RSS at its first line (the interpreter's own cost
///   per process, before the lab imported anything).
/// - Trace replays (`layout` is `trace`, `trace` names it; empty for node trials): `events`, `peak_live_requested_bytes`,
///   `peak_live_usable_bytes` (at the peak of the recorded sequence order, with the usable sizes the replay read),
///   `rss_at_peak_bytes`, `replay_ns_per_event` (wall time ÷ events), `replay_threads` (the trace's threads, each
///   replayed on its own); their `nodes` is the trace's events, so their per-node columns are per event.
/// - Programs (`layout` is `program`, `program` names it; empty for other trials): `peak_rss_bytes` is the program's
///   `ru_maxrss` × 1024 (the kernel's high-water RSS, as `/usr/bin/time -f %M`), `sampled_peak_rss_bytes` and
///   `sampled_peak_tree_rss_bytes` the largest sampled RSS of the program and of its process tree, `processes` the
///   most processes seen at once, `program_wall_ns`, `user_cpu_ns`, `system_cpu_ns`, `minor_faults`, `major_faults`
///   from `wait4`, `exit_status` its exit code (empty when a signal ended it; `status` says which); `nodes` is 0.
///   From the allocator agent at the program's exit (empty where it did not report): `vm_hwm_at_exit_bytes` (VmHWM
///   read by the program itself) and `allocator_*_bytes_at_exit` (the allocator's own figures, the worker's mapping);
///   `malloc_provider` is the file that served the program's `malloc`, which the agent named.
package enum TrialsTable {
    /// The columns in the order the table writes them. Columns named after the trial (its layout, shape, nodes
    /// …) are written from it and not read back: a row is read by its `trial_id`.
    package static let schema = CSVSchema<TrialRecord>([
        .derived("trial_id", .text) { $0.trial.id },
        .derived("experiment", .text) { $0.trial.experiment },
        .derived("layout", .text) { $0.trial.trace != nil ? "trace" : $0.trial.program != nil ? "program" : $0.trial.layout.rawValue },
        .derived("shape", .text) { $0.trial.shape.name },
        .derived("fields", .text) { $0.trial.shape.fieldSummary },
        .derived("payload_size_bytes", .integer) { $0.trial.shape.payload.sizeBytes },
        .derived("payload_stride_bytes", .integer) { $0.trial.shape.payload.strideBytes },
        .derived("payload_alignment_bytes", .integer) { $0.trial.shape.payload.alignmentBytes },
        .derived("nodes", .integer) { $0.trial.nodes },
        .derived("allocator", .text) { $0.trial.allocator.name },
        .derived("repetition", .integer) { $0.trial.repetition },
        CSVColumn("status", \.status, .status),
        CSVColumn("allocate_ns_per_node", \.metrics.allocateNsPerNode, .thousandths),
        CSVColumn("requested_bytes_per_node", \.metrics.requestedBytesPerNode, .thousandths),
        CSVColumn("usable_bytes_per_node", \.metrics.usableBytesPerNode, .thousandths),
        CSVColumn("rss_bytes_per_node", \.metrics.rssBytesPerNode, .thousandths),
        CSVColumn("rss_anon_bytes_per_node", \.metrics.rssAnonBytesPerNode, .thousandths),
        CSVColumn("allocator_allocated_bytes_per_node", \.metrics.allocatorAllocatedBytesPerNode, .thousandths),
        CSVColumn("allocator_active_bytes_per_node", \.metrics.allocatorActiveBytesPerNode, .thousandths),
        CSVColumn("container_bytes_per_node", \.metrics.containerBytesPerNode, .thousandths),
        CSVColumn("baseline_rss_bytes", \.metrics.baselineRSSBytes, .integer),
        CSVColumn("peak_rss_bytes", \.metrics.peakRSSBytes, .integer),
        CSVColumn("sample_count", \.sampleCount, .integer),
        CSVColumn("sampling_ns", \.metrics.samplingNs, .integer),
        CSVColumn("sampling_fraction", \.metrics.samplingFraction, .thousandths),
        CSVColumn("probe_nodes", \.probeNodes, .integer),
        CSVColumn("malloc_provider", \.mallocProvider, .text),
        CSVColumn("allocator_version", \.allocatorVersion, .text),
        CSVColumn("wall_ns", \.wallNs, .integer),
        CSVColumn("message", \.message, .text),
        CSVColumn("getsizeof_bytes_per_node", \.metrics.getsizeofBytesPerNode, .thousandths),
        CSVColumn("tracemalloc_bytes_per_node", \.metrics.tracemallocBytesPerNode, .thousandths),
        CSVColumn("host", \.host, .text),
        CSVColumn("trial_peak_rss_bytes", \.metrics.trialPeakRSSBytes, .integer),
        CSVColumn("precision_reached", \.precisionReached, .flag),
        CSVColumn("precision_relative_half_width", \.precisionRelativeHalfWidth, .sixDigits),
        CSVColumn("warm_allocate_ns_per_node", \.metrics.warmAllocateNsPerNode, .thousandths),
        CSVColumn("warm_allocate_rss_bytes_per_node", \.metrics.warmAllocateRSSBytesPerNode, .thousandths),
        CSVColumn("allocate_cpu_ns_per_node", \.metrics.allocateCPUNsPerNode, .thousandths),
        CSVColumn("allocate_minor_faults_per_node", \.metrics.allocateMinorFaultsPerNode, .thousandths),
        CSVColumn("allocate_instructions_per_node", \.metrics.allocateInstructionsPerNode, .thousandths),
        CSVColumn("allocate_cycles_per_node", \.metrics.allocateCyclesPerNode, .thousandths),
        CSVColumn("instructions_source", \.instructionsSource, .rawValue),
        CSVColumn("allocate_involuntary_switches", \.metrics.allocateInvoluntarySwitches, .integer),
        CSVColumn("allocate_steal_ns", \.metrics.allocateStealNs, .integer),
        CSVColumn("allocate_neighbour_cpu_ns", \.metrics.allocateNeighbourCPUNs, .integer),
        // Rows written before reruns existed read as a first attempt (the record's default).
        CSVColumn("attempt", \.attempt, .integer),
        CSVColumn("disturbed", \.disturbed, .flag),
        CSVColumn("disturbance", \.disturbance, .text),
        CSVColumn("heap_allocations_per_node", \.metrics.heapAllocationsPerNode, .thousandths),
        CSVColumn("object_requested_bytes_per_node", \.metrics.objectRequestedBytesPerNode, .thousandths),
        CSVColumn("object_usable_bytes_per_node", \.metrics.objectUsableBytesPerNode, .thousandths),
        CSVColumn("out_of_line_requested_bytes_per_node", \.metrics.outOfLineRequestedBytesPerNode, .thousandths),
        CSVColumn("out_of_line_usable_bytes_per_node", \.metrics.outOfLineUsableBytesPerNode, .thousandths),
        CSVColumn("probe_unbinned_allocations", \.probeUnbinnedAllocations, .integer),
        // A program's threads are its own, not counted by the lab: empty.
        .derived("threads", .integer) { $0.trial.program != nil ? nil : $0.trial.threads ?? 1 },
        CSVColumn("python_gil_enabled", \.pythonGILEnabled, .flag),
        CSVColumn("process_start_rss_bytes", \.processStartRSSBytes, .integer),
        .derived("interpreter", .text) { $0.trial.python?.path },
        .derived("python_version", .text) { $0.trial.python?.version },
        .derived("trace", .text) { $0.trial.trace?.name },
        CSVColumn("events", \.metrics.events, .integer),
        CSVColumn("peak_live_requested_bytes", \.metrics.peakLiveRequestedBytes, .integer),
        CSVColumn("peak_live_usable_bytes", \.metrics.peakLiveUsableBytes, .integer),
        CSVColumn("rss_at_peak_bytes", \.metrics.rssAtPeakBytes, .integer),
        CSVColumn("replay_ns_per_event", \.metrics.replayNsPerEvent, .thousandths),
        CSVColumn("replay_threads", \.metrics.replayThreads, .integer),
        .derived("program", .text) { $0.trial.program?.name },
        CSVColumn("sampled_peak_rss_bytes", \.metrics.sampledPeakRSSBytes, .integer),
        CSVColumn("sampled_peak_tree_rss_bytes", \.metrics.sampledPeakTreeRSSBytes, .integer),
        CSVColumn("processes", \.metrics.processes, .integer),
        CSVColumn("program_wall_ns", \.metrics.programWallNs, .integer),
        CSVColumn("user_cpu_ns", \.metrics.userCPUNs, .integer),
        CSVColumn("system_cpu_ns", \.metrics.systemCPUNs, .integer),
        CSVColumn("minor_faults", \.metrics.minorFaults, .integer),
        CSVColumn("major_faults", \.metrics.majorFaults, .integer),
        CSVColumn("exit_status", \.metrics.exitStatus, .integer),
        CSVColumn("vm_hwm_at_exit_bytes", \.metrics.vmHWMAtExitBytes, .integer),
        CSVColumn("allocator_allocated_bytes_at_exit", \.metrics.allocatorAllocatedBytesAtExit, .integer),
        CSVColumn("allocator_active_bytes_at_exit", \.metrics.allocatorActiveBytesAtExit, .integer),
        CSVColumn("allocator_resident_bytes_at_exit", \.metrics.allocatorResidentBytesAtExit, .integer),
        CSVColumn("allocator_metadata_bytes_at_exit", \.metrics.allocatorMetadataBytesAtExit, .integer),
        CSVColumn("allocator_mapped_bytes_at_exit", \.metrics.allocatorMappedBytesAtExit, .integer),
        CSVColumn("allocator_retained_bytes_at_exit", \.metrics.allocatorRetainedBytesAtExit, .integer),
    ])

    package static let header = schema.header

    /// Columns that name, label or describe a trial rather than measure it.
    package static let descriptiveColumns: Set<String> = [
        "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes",
        "payload_alignment_bytes", "nodes", "allocator", "repetition", "status", "malloc_provider", "allocator_version",
        "message", "host", "precision_reached", "precision_relative_half_width", "instructions_source",
        "attempt", "disturbed", "disturbance", "probe_unbinned_allocations", "threads", "python_gil_enabled",
        "interpreter", "python_version",
        "trace", "replay_threads", "program", "exit_status",
    ]

    /// Every column of the table that measures something.
    package static var metricColumns: [String] { header.filter { !descriptiveColumns.contains($0) } }

    /// The columns a precision target can be set on: the per-node costs (`*_per_node`), positive wherever they
    /// measure something. Totals such as `allocate_steal_ns` are 0 on a quiet machine and
    /// `allocate_neighbour_cpu_ns` can be negative: a half-width relative to their mean means nothing.
    package static var precisionColumns: [String] { metricColumns.filter { $0.hasSuffix("_per_node") } }

    package static func row(_ record: TrialRecord) -> [String?] { schema.cells(record) }

    /// Six significant digits: a half-width of 0.00001 must not print as 0.000.
    package static func precisionCell(_ value: Double?) -> String? {
        guard let value, value.isFinite else { return nil }
        return String(format: "%.6g", value)
    }

    /// Reads a row back (cells in header order); `trials` maps the experiment's trial ids to trials. Nil for a
    /// row that does not belong to the experiment or is not a row of this table.
    package static func record(_ cells: [String], trials: [String: Trial]) -> TrialRecord? {
        guard let id = cells.first, let trial = trials[id], let statusIndex = header.firstIndex(of: "status"),
            statusIndex < cells.count, let status = TrialStatus(cells[statusIndex])
        else { return nil }
        return schema.row(cells, into: TrialRecord(trial: trial, status: status))
    }
}
