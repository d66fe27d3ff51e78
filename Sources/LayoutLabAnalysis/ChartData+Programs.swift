import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// The chart table of a program experiment (`Experiment.programs`): `program-rss.csv`, RSS of each program over
/// its run on a seconds axis, a line per allocator. Empty for an experiment without programs.
extension ChartData {
    /// For each program and allocator, the repetition whose `peak_rss_bytes` (`ru_maxrss`) is the median of the
    /// successful ones (the lower middle of an even count; ties by repetition): its samples, x = seconds since the
    /// program started (the monitor samples from outside, so this is wall time), y = the program's RSS (`statm`) in
    /// MiB, `processes` the processes of its tree at the last scan.
    package static func programRSS(samples: [SampleRow], run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["program", "allocator", "repetition", "seconds", "rss_mib", "processes"])
        guard let programs = run.experiment.programs else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for program in programs {
            for allocator in run.experiment.allocators {
                guard let median = medianRepetition(run.records, program: program.name, allocator: allocator.name) else { continue }
                // The agent's rows (allocator figures, no RSS) are not points of this line.
                for row in byTrial[median.trial.id] ?? [] where row.sample.rssBytes != nil {
                    table.append([
                        program.name, allocator.name, String(median.trial.repetition), CSVNumber.cell(Double(row.sample.elapsedNs) / 1e9),
                        CSVNumber.cell(row.sample.rssBytes.map { Double($0) / 1_048_576 }), String(row.sample.nodesAlive),
                    ])
                }
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
