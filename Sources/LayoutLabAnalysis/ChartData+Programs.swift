import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// The chart table of a program experiment (`Experiment.programs`): `program-rss.csv`, RSS of each program over
/// its run on a seconds axis, a line per allocator. Empty for an experiment without programs.
extension ChartData {
    /// For each program and allocator, the repetition whose `peak_rss_bytes` (`ru_maxrss`) is the median of the
    /// successful ones (the lower middle of an even count; ties by repetition): its samples, x = seconds since the
    /// program started (the monitor samples from outside, so this is wall time), `rss_mib` the program's RSS (`statm`)
    /// in MiB, `processes` the processes of its tree at the last scan; then the allocator agent's readings of the same
    /// trial (`allocator_sample_interval_ms`, and the one at exit), `allocated_mib` the allocator's own allocated
    /// bytes in MiB (empty where it has no such figure); and, for a program that had more than one process, rows of
    /// `tree_rss_mib`, the RSS summed over its process tree at the samples that scanned it. Each kind's rows are
    /// contiguous per trial and carry only their own figure, so a line drawn through one column is not broken.
    package static func programRSS(samples: [SampleRow], run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["program", "allocator", "repetition", "seconds", "rss_mib", "processes", "allocated_mib", "tree_rss_mib"])
        guard let programs = run.experiment.programs else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for program in programs {
            for allocator in run.experiment.allocators {
                guard let median = medianRepetition(run.records, program: program.name, allocator: allocator.name) else { continue }
                let rows = byTrial[median.trial.id] ?? []
                func mebibytes(_ bytes: Int?) -> String? { CSVNumber.cell(bytes.map { Double($0) / 1_048_576 }) }
                func append(_ row: SampleRow, rss: Int? = nil, allocated: Int? = nil, tree: Int? = nil) {
                    table.append([
                        program.name, allocator.name, String(median.trial.repetition), CSVNumber.cell(Double(row.sample.elapsedNs) / 1e9),
                        mebibytes(rss), String(row.sample.nodesAlive), mebibytes(allocated), mebibytes(tree),
                    ])
                }
                // The monitor's samples (the program's RSS); the tree's at the samples that scanned it, where the
                // program had more than one process; the agent's readings (the allocator's figures, no RSS).
                for row in rows where row.sample.rssBytes != nil { append(row, rss: row.sample.rssBytes) }
                if rows.contains(where: { $0.sample.nodesAlive > 1 }) {
                    for row in rows where row.sample.treeRSSBytes != nil { append(row, tree: row.sample.treeRSSBytes) }
                }
                for row in rows where row.sample.rssBytes == nil && row.sample.allocator.allocatedBytes != nil {
                    append(row, allocated: row.sample.allocator.allocatedBytes)
                }
            }
        }
        return table
    }

    /// `program-comparison-<metric>.csv`: each program under each allocator ÷ under the first (`namedComparison`).
    package static func programComparison(_ comparisons: [Comparison], metric: String, run: ExperimentRun) -> CSVTable {
        namedComparison(comparisons, metric: metric, names: (run.experiment.programs ?? []).map(\.name), column: "program", run: run)
    }

    /// The successful record of `program` under `allocator` at the median of their `peak_rss_bytes`; nil without one.
    package static func medianRepetition(_ records: [TrialRecord], program: String, allocator: String) -> TrialRecord? {
        let candidates = records
            .filter { $0.status == .ok && $0.trial.program?.name == program && $0.trial.allocator.name == allocator && $0.metrics.peakRSSBytes != nil }
            .sorted { ($0.metrics.peakRSSBytes ?? 0, $0.trial.repetition) < ($1.metrics.peakRSSBytes ?? 0, $1.trial.repetition) }
        return candidates.isEmpty ? nil : candidates[(candidates.count - 1) / 2]
    }
}
