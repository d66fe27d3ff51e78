import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// `replay-rss.csv`: RSS over the events of each trace replayed (experiments with `"traces"` only).
extension ChartData {
    /// RSS (MiB) against events replayed (the samples' `nodes_alive`), a row per sample of one repetition per trace ×
    /// allocator: the median repetition, the one whose largest RSS sample is the median of the successful
    /// repetitions' (the lower middle one of an even count; ties by repetition number). `trace_index` is the
    /// trace's position in the experiment (a panel each), `repetition` the one drawn. A sample without RSS is an
    /// empty cell. Live requested bytes are not drawn: the samples do not carry them. Empty (header only) for
    /// node experiments.
    package static func replayRSS(samples: [SampleRow], run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["trace", "trace_index", "allocator", "repetition", "events", "rss_mib"])
        guard let traces = run.experiment.traces else { return table }
        var rowsByTrial: [String: [MemorySample]] = [:]
        for row in samples where row.phaseIndex == 0 { rowsByTrial[row.trialID, default: []].append(row.sample) }
        for (traceIndex, trace) in traces.enumerated() {
            for allocator in run.experiment.allocators {
                let repetitions = run.records.filter {
                    $0.status == .ok && $0.trial.trace?.name == trace.name && $0.trial.allocator.name == allocator.name
                }.compactMap { record -> (repetition: Int, peak: Int, samples: [MemorySample])? in
                    let samples = rowsByTrial[record.trial.id] ?? []
                    guard let peak = samples.compactMap(\.rssBytes).max() else { return nil }
                    return (record.trial.repetition, peak, samples)
                }.sorted { ($0.peak, $0.repetition) < ($1.peak, $1.repetition) }
                guard !repetitions.isEmpty else { continue }
                let median = repetitions[(repetitions.count - 1) / 2]
                for sample in median.samples {
                    table.append([
                        trace.name, String(traceIndex + 1), allocator.name, String(median.repetition), String(sample.nodesAlive),
                        CSVNumber.cell(sample.rssBytes.map { Double($0) / 1_048_576 }),
                    ])
                }
            }
        }
        return table
    }
}
