import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabExperiments
@testable import LayoutLabTables
@testable import LayoutLabResults

/// Synthetic results folders of issue 16 (the fixture's environment, 2 cores, with made-up trials), for the
/// scaling, ratio and fork charts and tables: the workers that measure these are not what is tested here.
enum ThreadForkFixtures {
    // MARK: Threads

    static let threadsExperiment = """
        { "name": "threads", "layouts": ["final-class", "struct-array", "class"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [20000], "threads": [1, 2, 4], "allocators": ["system", "jemalloc"], "repetitions": 2,
          "phases": ["allocate", "traverse", "remote-free"] }
        """

    static let nodes = 20000
    static let baselineRSSBytes = 10_000_000

    /// ns per node of a configuration's phase (repetition 1; repetition 2 is 4 % slower): a figure distinct for
    /// every layout, allocator, phase and thread count, so that a ratio divided by the wrong cell shows.
    static func nsPerNode(layout: LayoutKind, allocator: String, phase: Int, threads: Int, repetition: Int) -> Double {
        let layoutBase: Double = switch layout { case .finalClass: 40; case .structArray: 4; default: 46 }
        let phaseFactor = [1.0, 0.25, 0.9][phase]
        let allocatorFactor = allocator == "jemalloc" ? 0.8 : 1.0
        // remote-free under system slows down with threads, the rest speed up.
        let scaling: Double = phase == 2 && allocator == "system" ? [1: 1.0, 2: 1.7, 4: 3.1][threads]! : [1: 1.0, 2: 0.6, 4: 0.7][threads]!
        // class under system is the worst at remote-free with 4 threads (the largest ratio).
        let worst = layout == .openClass && phase == 2 && allocator == "system" && threads == 4 ? 1.1 : 1
        return layoutBase * phaseFactor * allocatorFactor * scaling * worst * (repetition == 1 ? 1 : 1.04)
    }

    /// RSS above the baseline ÷ nodes at a phase's end: glibc's arenas grow with threads; remote-free keeps a
    /// third (system) or a tenth (jemalloc) of it.
    static func rssBytesPerNode(layout: LayoutKind, allocator: String, phase: Int, threads: Int, repetition: Int) -> Double {
        let layoutBase: Double = switch layout { case .finalClass: 40; case .structArray: 16; default: 48 }
        let growth = allocator == "system" ? 1 + 0.15 * Double(threads - 1) : 1 + 0.02 * Double(threads - 1)
        let kept = phase == 2 ? (allocator == "system" ? 1.0 / 3 : 0.1) : 1
        return (layoutBase * growth * kept + Double(repetition - 1)).rounded()
    }

    /// The trial that failed (both repetitions): struct-array under jemalloc at T = 2, a gap in its lines.
    static func failed(_ trial: Trial) -> Bool {
        trial.layout == .structArray && trial.allocator.name == "jemalloc" && trial.threads == 2
    }

    static func threadsFolder() throws -> URL {
        try folder(experiment: threadsExperiment, phases: { trial in
            guard let threads = trial.threads else { return [] }
            return (0..<3).map { phase in
                var row = PhaseRow(trialID: trial.id, phaseIndex: phase, phase: ["allocate", "traverse", "remote-free"][phase])
                let args = (layout: trial.layout, allocator: trial.allocator.name, phase: phase, threads: threads, repetition: trial.repetition)
                row.nsPerNode = nsPerNode(layout: args.layout, allocator: args.allocator, phase: phase, threads: threads, repetition: args.repetition)
                row.elapsedNs = Int(row.nsPerNode! * Double(nodes))
                row.nodesProcessed = nodes
                let rss = rssBytesPerNode(layout: args.layout, allocator: args.allocator, phase: phase, threads: threads, repetition: args.repetition)
                row.rssBytesStart = phase == 0 ? baselineRSSBytes : baselineRSSBytes + Int(rssBytesPerNode(
                    layout: args.layout, allocator: args.allocator, phase: phase - 1, threads: threads, repetition: args.repetition)) * nodes
                row.rssBytesEnd = baselineRSSBytes + Int(rss) * nodes
                row.threads = threads
                row.slowestThreadNsPerNode = row.nsPerNode! * Double(threads) * 1.1
                row.fastestThreadNsPerNode = row.nsPerNode! * Double(threads) * 0.9
                row.allocatorArenas = trial.allocator.name == "system" ? threads : 8
                row.allocatorArenasUsed = trial.allocator.name == "system" ? threads : min(threads, 2)
                row.allocatorThreadCacheBytes = trial.allocator.name == "jemalloc" ? 32768 * threads : nil
                return row
            }
        }, metrics: { trial in
            let threads = trial.threads ?? 1
            return TrialMetrics(
                allocateNsPerNode: nsPerNode(layout: trial.layout, allocator: trial.allocator.name, phase: 0, threads: threads, repetition: trial.repetition),
                rssBytesPerNode: rssBytesPerNode(layout: trial.layout, allocator: trial.allocator.name, phase: 0, threads: threads, repetition: trial.repetition),
                requestedBytesPerNode: trial.layout == .structArray ? 16 : 32, usableBytesPerNode: trial.layout == .structArray ? 16 : 40,
                containerBytesPerNode: trial.layout == .structArray ? 0 : 8)
        }, failed: failed)
    }

    // MARK: Fork

    static let forkExperiment = """
        { "name": "fork", "layouts": ["final-class", "struct-array", "python-slots-class"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [20000], "allocators": ["system", "jemalloc"], "repetitions": 2, "python_gc_freeze": true,
          "phases": ["allocate", { "phase": "fork", "children": 4, "work": "traverse" }, { "phase": "fork", "children": 4, "work": "mutate" }] }
        """

    /// The parent's bytes per node (the trial's rss_bytes_per_node) of a layout.
    static func parentBytesPerNode(_ layout: LayoutKind, allocator: String) -> Double {
        let bytes: Double = switch layout { case .finalClass: 40; case .structArray: 16; default: 64 }
        return bytes + (allocator == "jemalloc" ? 4 : 0)
    }

    /// A child's Private_Dirty growth ÷ nodes: struct-array children that read keep their pages shared; class
    /// children that read un-share what the reference counts write; every child that writes un-shares all.
    static func childPrivateDirtyBytesPerNode(_ layout: LayoutKind, allocator: String, work: PhaseSpec.ForkWork, repetition: Int) -> Double {
        let parent = parentBytesPerNode(layout, allocator: allocator)
        let fraction: Double = switch (layout, work) {
        case (.structArray, .traverse): 0.01
        case (.finalClass, .traverse): 0.9
        case (_, .traverse): 0.3
        default: 1.0
        }
        return parent * fraction + Double(repetition - 1)
    }

    static let parentRSSBytes = 30_000_000

    static func forkFolder() throws -> URL {
        try folder(experiment: forkExperiment, phases: { trial in
            var rows = [PhaseRow(trialID: trial.id, phaseIndex: 0, phase: "allocate")]
            rows[0].nsPerNode = 30
            rows[0].rssBytesStart = baselineRSSBytes
            rows[0].rssBytesEnd = parentRSSBytes
            for (index, work) in [(1, PhaseSpec.ForkWork.traverse), (2, .mutate)] {
                var row = PhaseRow(trialID: trial.id, phaseIndex: index, phase: "fork")
                row.rssBytesStart = parentRSSBytes
                row.rssBytesEnd = parentRSSBytes
                row.children = 4
                row.childrenReported = 4
                let perNode = childPrivateDirtyBytesPerNode(trial.layout, allocator: trial.allocator.name, work: work, repetition: trial.repetition)
                row.childPrivateDirtyBytesPerNode = perNode
                row.childPrivateDirtyBytes = perNode * Double(nodes)
                row.childSharedBytesPerNode = parentBytesPerNode(trial.layout, allocator: trial.allocator.name) - perNode + 100
                row.childPssBytesPerNode = 50
                row.childNsPerNode = work == .traverse ? 2 : 5
                row.pythonGCFreeze = trial.layout.isPython ? true : nil
                rows.append(row)
            }
            return rows
        }, metrics: { trial in
            TrialMetrics(allocateNsPerNode: 30, rssBytesPerNode: parentBytesPerNode(trial.layout, allocator: trial.allocator.name) + Double(trial.repetition - 1))
        }, failed: { _ in false })
    }

    // MARK: Building a folder

    /// The fixture's environment with `experiment`, one record per planned trial (status crashed where
    /// `failed`, with a partial allocate row that must not count), its phase rows, and samples of allocate.
    static func folder(
        experiment: String, phases: (Trial) -> [PhaseRow], metrics: (Trial) -> TrialMetrics, failed: (Trial) -> Bool
    ) throws -> URL {
        let folder = try ChartReportTests.fixtureCopy()
        let file = folder.appendingPathComponent(ResultsFolder.experimentFile)
        try experiment.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try ExperimentLoader().load(path: file.path)
        var records: [TrialRecord] = []
        var phaseRows: [PhaseRow] = []
        var samples: [SampleRow] = []
        for trial in TrialPlan.trials(for: loaded) {
            let broken = failed(trial)
            let figures = metrics(trial)
            records.append(TrialRecord(trial: trial, status: broken ? .crashed(signal: 11) : .ok, metrics: broken ? TrialMetrics() : figures))
            var rows = phases(trial)
            if broken {
                // A crashed trial's allocate row with an absurd figure: no chart or table may use it.
                rows = Array(rows.prefix(1))
                for index in rows.indices { rows[index].nsPerNode = 99999; rows[index].rssBytesEnd = 999_999_999 }
            }
            phaseRows += rows
            guard !broken else { continue }
            for step in 0...4 {
                let alive = nodes * step / 4
                samples.append(SampleRow(trialID: trial.id, phaseIndex: 0, phase: "allocate", sample: MemorySample(
                    nodesAlive: alive, elapsedNs: Int(Double(alive) * (figures.allocateNsPerNode ?? 0)),
                    rssBytes: baselineRSSBytes + Int(Double(alive) * (figures.rssBytesPerNode ?? 0)))))
            }
        }
        try AtomicFile.write(TrialsTable.schema.table(records).text, to: folder.appendingPathComponent(ResultsFolder.trialsFile))
        try AtomicFile.write(SamplesTable.schema.table(samples).text, to: folder.appendingPathComponent(ResultsFolder.samplesFile))
        try AtomicFile.write(PhasesTable.schema.table(phaseRows).text, to: folder.appendingPathComponent(ResultsFolder.phasesFile))
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("per-node.csv"))
        return folder
    }
}
