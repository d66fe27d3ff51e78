import Foundation
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
import Testing


/// Each CSV table is one list of columns (issue 14): the header, the cells and the reader come from it, a
/// missing value is an empty cell and reads back as nil (never 0), and render → parse → render is the same text.
@Suite("CSV tables from one column list")
struct CSVSchemaTests {
    static let trial = Trial(
        experiment: "e", shapeIndex: 0, shape: TablesForReadersTests.point, layout: .finalClass, nodes: 1000,
        allocator: .system, repetition: 2)

    /// A record with every field set, fractions that need rounding and text that needs quoting.
    static var fullRecord: TrialRecord {
        var metrics = TrialMetrics(
            allocateNsPerNode: 1.0 / 3, rssBytesPerNode: 40.0625, allocatorAllocatedBytesPerNode: -0.0004,
            allocatorActiveBytesPerNode: 32.9995, requestedBytesPerNode: 32, usableBytesPerNode: 40,
            containerBytesPerNode: 8, baselineRSSBytes: 10_485_760, peakRSSBytes: 11_000_000, trialPeakRSSBytes: 12_000_000,
            samplingNs: 12_345, samplingFraction: 0.012_345_6, getsizeofBytesPerNode: 56.5, tracemallocBytesPerNode: 64.25,
            warmAllocateNsPerNode: 2.718_281_8, warmAllocateRSSBytesPerNode: 0.1, allocateCPUNsPerNode: 3.141_59,
            allocateMinorFaultsPerNode: 0.009_766, allocateInstructionsPerNode: 120.000_4, allocateCyclesPerNode: 99.999_9,
            allocateInvoluntarySwitches: 3, allocateStealNs: 0, allocateNeighbourCPUNs: -10_000_000, rssAnonBytesPerNode: 39.9995)
        metrics.heapAllocationsPerNode = 2.000_2
        metrics.objectRequestedBytesPerNode = 24
        metrics.objectUsableBytesPerNode = 32
        metrics.outOfLineRequestedBytesPerNode = 264.5
        metrics.outOfLineUsableBytesPerNode = 320.25
        metrics.events = 200_000
        metrics.peakLiveRequestedBytes = 155_000_000
        metrics.peakLiveUsableBytes = 159_200_000
        metrics.rssAtPeakBytes = 182_231_040
        metrics.replayNsPerEvent = 95.431
        metrics.replayThreads = 1
        metrics.sampledPeakRSSBytes = 70_000_000
        metrics.sampledPeakTreeRSSBytes = 90_000_000
        metrics.processes = 3
        metrics.programWallNs = 1_234_567_890
        metrics.userCPUNs = 1_000_000_000
        metrics.systemCPUNs = 25_000_000
        metrics.minorFaults = 16_500
        metrics.majorFaults = 0
        metrics.exitStatus = 3
        metrics.vmHWMAtExitBytes = 68_489_216
        metrics.allocatorAllocatedBytesAtExit = 67_108_864
        metrics.allocatorActiveBytesAtExit = 67_200_000
        metrics.allocatorResidentBytesAtExit = 68_000_000
        metrics.allocatorMetadataBytesAtExit = 1_200_000
        metrics.allocatorMappedBytesAtExit = 70_000_000
        metrics.allocatorRetainedBytesAtExit = 0
        var record = TrialRecord(
            trial: trial, status: .failed(exitCode: 3), metrics: metrics, sampleCount: 42, probeNodes: 100,
            mallocProvider: "glibc", allocatorVersion: "2.36", wallNs: 987_654_321, message: "said \"no\", twice\nthen stopped",
            host: "node-1", instructionsSource: .valgrind)
        record.precisionReached = false
        record.precisionRelativeHalfWidth = 0.000_012_345_67
        record.attempt = 3
        record.disturbed = true
        record.disturbance = "steal 12 %, neighbours 1.5 CPUs"
        record.probeUnbinnedAllocations = 0
        record.pythonGILEnabled = true
        record.processStartRSSBytes = 9_437_184
        return record
    }

    static func text(_ cells: [String?]) -> [String] { cells.map { $0 ?? "" } }

    @Test func aTrialRecordRoundTripsToTheSameText() throws {
        let cells = Self.text(TrialsTable.row(Self.fullRecord))
        // Every column but `trace` (a trace replay's trace), `program` (a program trial's) and `interpreter`,
        // `python_version` (a Python layout's), empty for this Swift node trial.
        let unset = zip(TrialsTable.header, cells).filter { $0.1.isEmpty }.map(\.0)
        #expect(unset == ["interpreter", "python_version", "trace", "program"], "every column is set: \(unset)")
        let read = try #require(TrialsTable.record(cells, trials: [Self.trial.id: Self.trial]))
        #expect(Self.text(TrialsTable.row(read)) == cells)
        #expect(read.metrics.allocateNsPerNode == 0.333, "a figure reads back as its cell holds it")
        #expect(read.status == .failed(exitCode: 3) && read.attempt == 3 && read.message == Self.fullRecord.message)
        // The text a file holds, quoting included, reads back to the same cells.
        let file = try TestSupport.temporaryDirectory("schema").appendingPathComponent("trials.csv")
        try AtomicFile.write(TrialsTable.schema.table([Self.fullRecord]).text, to: file)
        let rows = try ResultsFolder.rows(of: file, header: TrialsTable.header)
        #expect(rows == [cells])
    }

    @Test func aMissingFigureIsAnEmptyCellAndReadsBackAsNil() throws {
        let bare = TrialRecord(trial: Self.trial, status: .ok)
        let cells = Self.text(TrialsTable.row(bare))
        let empty = Set(zip(TrialsTable.header, cells).filter { $0.1.isEmpty }.map(\.0))
        #expect(empty.isSuperset(of: ["allocate_ns_per_node", "rss_bytes_per_node", "baseline_rss_bytes", "precision_reached", "disturbed"]))
        let read = try #require(TrialsTable.record(cells, trials: [Self.trial.id: Self.trial]))
        #expect(read.metrics == TrialMetrics(), "no figure becomes 0: \(read.metrics)")
        #expect(read.precisionReached == nil && read.disturbed == nil && read.wallNs == nil && read.host == nil)

        let sample = SampleRow(trialID: "t", phaseIndex: 1, phase: "free-half", sample: MemorySample(nodesAlive: 5, elapsedNs: 6, rssBytes: 0))
        let sampleCells = Self.text(SamplesTable.schema.cells(sample))
        #expect(sampleCells[SamplesTable.header.firstIndex(of: "rss_bytes")!] == "0", "a measured 0 is written")
        #expect(sampleCells[SamplesTable.header.firstIndex(of: "pss_bytes")!] == "")
        #expect(SamplesTable.row(sampleCells) == sample, "0 stays 0 and nil stays nil")

        let phase = PhaseRow(trialID: "t", phaseIndex: 2, phase: "traverse", applicable: false)
        let read2 = PhasesTable.row(Self.text(PhasesTable.schema.cells(phase)))
        #expect(read2 == phase && read2.counters == PhaseCounters() && read2.nsPerNode == nil)
    }

    @Test func phaseAndSampleRowsRoundTripToTheSameText() throws {
        var result = TablesForReadersTests.result(layout: .finalClass, later: [
            (PhaseSpec(.traverse, order: .random), true, -1, 1000, (10 << 20) + 40_000),
            (PhaseSpec(.freeHalf), true, 0, 500, (10 << 20) + 30_000),
        ])
        result.phaseCounters = [0: PhaseCounters(cpuNs: 1, minorFaults: 2, instructions: 3, intervalNs: 4), 1: PhaseCounters(cpuNs: 7)]
        result.instructionsSource = .hardware
        let phases = PhaseRow.rows(of: result, metrics: TrialMetrics(result: result), seed: 42)
        for row in phases {
            let cells = Self.text(PhasesTable.schema.cells(row))
            #expect(Self.text(PhasesTable.schema.cells(PhasesTable.row(cells))) == cells)
        }
        #expect(PhasesTable.row(Self.text(PhasesTable.schema.cells(phases[1]))).checksum == -1, "the 64 bits read back")
        #expect(phases[1].instructionsSource == nil && phases[0].instructionsSource == .hardware, "a source only beside a count")
        let experimentPhases = [PhaseSpec(.allocate), PhaseSpec(.traverse, order: .random), PhaseSpec(.freeHalf)]
        for row in SampleRow.rows(of: result, phases: experimentPhases) {
            #expect(SamplesTable.row(Self.text(SamplesTable.schema.cells(row))) == row)
        }
    }

    /// The columns, in order, that the lab wrote before the tables became column lists.
    @Test func theHeadersAreTheColumnsOfBefore() {
        #expect(SamplesTable.header == [
            "trial_id", "phase_index", "phase", "nodes_alive", "elapsed_ns", "rss_bytes", "rss_anon_bytes", "smaps_rss_bytes",
            "pss_bytes", "private_dirty_bytes", "anonymous_bytes", "vm_hwm_bytes", "allocator_allocated_bytes",
            "allocator_active_bytes", "allocator_resident_bytes", "allocator_metadata_bytes",
            "allocator_mapped_bytes", "allocator_retained_bytes", "sample_ns",
            // Added after: a program trial's process tree (empty for other trials), last so older columns keep their places.
            "tree_rss_bytes",
        ])
        #expect(PhasesTable.header == [
            "trial_id", "phase_index", "phase", "order", "seed", "applicable", "elapsed_ns", "nodes_processed",
            "ns_per_node", "rss_bytes_start", "rss_bytes_end", "live_nodes_end", "live_bytes_end", "fragmentation_ratio",
            "rss_returned_bytes", "allocator_allocated_bytes_end", "allocator_active_bytes_end",
            "allocator_mapped_bytes_end", "allocator_retained_bytes_end", "checksum", "note", "cpu_ns", "minor_faults",
            "major_faults", "voluntary_switches", "involuntary_switches", "steal_ns", "neighbour_cpu_ns", "instructions",
            "cycles", "cache_misses", "dtlb_misses", "instructions_source", "interval_ns", "threads",
            "slowest_thread_ns_per_node", "fastest_thread_ns_per_node", "allocator_arenas", "allocator_arenas_used",
            "allocator_thread_cache_bytes", "children", "children_reported", "child_private_dirty_bytes",
            "child_private_dirty_bytes_per_node", "child_shared_bytes_per_node", "child_pss_bytes_per_node",
            "child_ns_per_node", "python_gc_freeze", "rss_half_returned_ns", "ns_per_event",
        ])
        #expect(TrialsTable.header == [
            "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes",
            "payload_alignment_bytes", "nodes", "allocator", "repetition", "status", "allocate_ns_per_node",
            "requested_bytes_per_node", "usable_bytes_per_node", "rss_bytes_per_node", "rss_anon_bytes_per_node",
            "allocator_allocated_bytes_per_node", "allocator_active_bytes_per_node", "container_bytes_per_node",
            "baseline_rss_bytes", "peak_rss_bytes", "sample_count", "sampling_ns", "sampling_fraction", "probe_nodes",
            "malloc_provider", "allocator_version", "wall_ns", "message", "getsizeof_bytes_per_node",
            "tracemalloc_bytes_per_node", "host", "trial_peak_rss_bytes", "precision_reached",
            "precision_relative_half_width", "warm_allocate_ns_per_node", "warm_allocate_rss_bytes_per_node",
            "allocate_cpu_ns_per_node", "allocate_minor_faults_per_node",
            "allocate_instructions_per_node", "allocate_cycles_per_node", "instructions_source",
            "allocate_involuntary_switches", "allocate_steal_ns", "allocate_neighbour_cpu_ns",
            "attempt", "disturbed", "disturbance", "heap_allocations_per_node", "object_requested_bytes_per_node",
            "object_usable_bytes_per_node", "out_of_line_requested_bytes_per_node", "out_of_line_usable_bytes_per_node",
            "probe_unbinned_allocations", "threads", "python_gil_enabled", "process_start_rss_bytes", "interpreter", "python_version",
            "trace", "events", "peak_live_requested_bytes", "peak_live_usable_bytes", "rss_at_peak_bytes",
            "replay_ns_per_event", "replay_threads", "program", "sampled_peak_rss_bytes", "sampled_peak_tree_rss_bytes",
            "processes", "program_wall_ns", "user_cpu_ns", "system_cpu_ns", "minor_faults", "major_faults", "exit_status",
            "vm_hwm_at_exit_bytes", "allocator_allocated_bytes_at_exit", "allocator_active_bytes_at_exit",
            "allocator_resident_bytes_at_exit", "allocator_metadata_bytes_at_exit", "allocator_mapped_bytes_at_exit",
            "allocator_retained_bytes_at_exit",
        ])
        #expect(AllocationSizesTable.header == ["trial_id", "requested_bytes", "allocations", "usable_bytes"])
        #expect(TrialsTable.schema.column("rss_bytes_per_node")?.unit == "bytes/node")
        #expect(PhasesTable.schema.column("rss_bytes_start")?.unit == "bytes" && PhasesTable.schema.column("ns_per_node")?.unit == "ns/node")
    }

    /// A folder an earlier version wrote (fewer columns, flags as `yes`/`no`, decimal checksums) reads into rows
    /// that write its cells again, flags and checksums in today's spelling.
    @Test func anOlderFolderReadsBackToItsOwnCells() throws {
        let folderURL = try ChartReportTests.fixtureCopy()
        let folder = try ResultsFolder.open(folderURL)
        func today(_ column: String, _ cell: String) -> String {
            if column == "checksum", let value = Int(cell) { return PhasesTable.checksumCell(value) }
            return ["yes": "true", "no": "false"][cell] ?? cell
        }
        func check<Row>(_ file: String, _ schema: CSVSchema<Row>, _ rows: [Row]) throws {
            let table = try TestSupport.readCSV(folderURL.appendingPathComponent(file))
            #expect(table.rows.count == rows.count && !rows.isEmpty, "\(file)")
            for (cells, row) in zip(table.rows, rows) {
                let written = Dictionary(uniqueKeysWithValues: zip(schema.header, Self.text(schema.cells(row))))
                for column in table.header {
                    #expect(written[column] == cells[column].map { today(column, $0) }, "\(file) \(column)")
                }
            }
        }
        try check(ResultsFolder.trialsFile, TrialsTable.schema, folder.records)
        try check(ResultsFolder.samplesFile, SamplesTable.schema, folder.sampleRows)
        try check(ResultsFolder.phasesFile, PhasesTable.schema, folder.phaseRows)
    }

    /// Comparisons of a run made in this process use its records in memory: the same table as reading it back.
    @Test func theTableInMemoryIsTheTableOnDisk() throws {
        let folderURL = try ChartReportTests.fixtureCopy()
        let onDisk = try TrialTable(directory: folderURL)
        let inMemory = TrialTable(run: try ResultsFolder.open(folderURL).run)
        #expect(onDisk.rows.count == inMemory.rows.count && !onDisk.metricColumns.isEmpty)
        #expect(onDisk.metricColumns.filter { !inMemory.metricColumns.contains($0) } == [])
        for (disk, memory) in zip(onDisk.rows, inMemory.rows) {
            for metric in onDisk.metricColumns { #expect(disk.value(metric) == memory.value(metric), "\(metric)") }
        }
    }
}
