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
    /// bytes in MiB (empty where it has no such figure). Each kind's rows are contiguous per trial, so a line drawn
    /// through one column is not broken by the other's empty cells.
    package static func programRSS(samples: [SampleRow], run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["program", "allocator", "repetition", "seconds", "rss_mib", "processes", "allocated_mib"])
        guard let programs = run.experiment.programs else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for program in programs {
            for allocator in run.experiment.allocators {
                guard let median = medianRepetition(run.records, program: program.name, allocator: allocator.name) else { continue }
                let rows = byTrial[median.trial.id] ?? []
                func append(_ row: SampleRow) {
                    table.append([
                        program.name, allocator.name, String(median.trial.repetition), CSVNumber.cell(Double(row.sample.elapsedNs) / 1e9),
                        CSVNumber.cell(row.sample.rssBytes.map { Double($0) / 1_048_576 }), String(row.sample.nodesAlive),
                        CSVNumber.cell(row.sample.allocator.allocatedBytes.map { Double($0) / 1_048_576 }),
                    ])
                }
                // The monitor's samples (RSS), then the agent's (the allocator's figures, no RSS).
                rows.filter { $0.sample.rssBytes != nil }.forEach(append)
                rows.filter { $0.sample.rssBytes == nil && $0.sample.allocator.allocatedBytes != nil }.forEach(append)
            }
        }
        return table
    }

    /// The successful record of `program` under `allocator` at the median of their `peak_rss_bytes`; nil without one.
    package static func medianRepetition(_ records: [TrialRecord], program: String, allocator: String) -> TrialRecord? {
        let candidates = records
            .filter { $0.status == .ok && $0.trial.program?.name == program && $0.trial.allocator.name == allocator && $0.metrics.peakRSSBytes != nil }
            .sorted { ($0.metrics.peakRSSBytes ?? 0, $0.trial.repetition) < ($1.metrics.peakRSSBytes ?? 0, $1.trial.repetition) }
        return candidates.isEmpty ? nil : candidates[(candidates.count - 1) / 2]
    }
}
