import LayoutLabModel
import LayoutLabTables

/// "Trace replays", for a trace experiment: a row per trace × allocator, medians over the successful repetitions —
/// the trace's events and peak of live requested bytes (the same under every allocator), the live usable bytes at
/// that peak and their ratio to requested (the allocator's rounding), the RSS growth from the baseline to the sample
/// right after the peak (MiB), and the replay's ns per event (min–max where the repetitions differ).
public enum TraceReplayTable {
    /// The markdown table, or nil for an experiment without traces.
    public static func markdown(_ run: ExperimentRun) -> String? {
        guard let traces = run.experiment.traces, !traces.isEmpty else { return nil }
        var text = "\nMedians over the successful repetitions. usable ÷ requested: the allocator's rounding of the live blocks at the "
        text += "trace's peak of requested bytes; RSS growth: the sample right after that peak less the baseline (which holds the "
        text += "worker's tables); a figure not measured is —.\n\n"
        text += "| trace | allocator | reps ok | events | threads replayed | peak live requested B | peak live usable B | usable ÷ requested | RSS growth at peak MiB | ns/event |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|\n"
        for trace in traces {
            for allocator in run.experiment.allocators {
                let metrics = run.records.filter { $0.status == .ok && $0.trial.trace?.name == trace.name && $0.trial.allocator.name == allocator.name }
                    .map(\.metrics)
                func median(_ values: [Double?]) -> Double? { PerNodeSummary.median(values.compactMap { $0 }) }
                let requested = median(metrics.map { $0.peakLiveRequestedBytes.map(Double.init) })
                let usable = median(metrics.map { $0.peakLiveUsableBytes.map(Double.init) })
                let growth = median(metrics.map { m in m.rssAtPeakBytes.flatMap { peak in m.baselineRSSBytes.map { Double(peak - $0) / 1_048_576 } } })
                let times = metrics.compactMap(\.replayNsPerEvent)
                let ratio = requested.flatMap { r in usable.map { r > 0 ? $0 / r : .nan } }.flatMap { $0.isNaN ? nil : $0 }
                let timeText = PerNodeSummary.median(times).map { middle in
                    let spread = (times.min() ?? middle) == (times.max() ?? middle) ? "" : " (\(Rounded.text(times.min()))–\(Rounded.text(times.max())))"
                    return Rounded.text(middle) + spread
                } ?? "—"
                let cells = [
                    trace.name, allocator.name, String(metrics.count), integer(median(metrics.map { $0.events.map(Double.init) })),
                    integer(median(metrics.map { $0.replayThreads.map(Double.init) })), integer(requested), integer(usable),
                    ratio.map { Rounded.text($0, digits: 3) } ?? "—", growth.map { Rounded.text($0) } ?? "—", timeText,
                ]
                text += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    /// A count of bytes or events in plain digits; "—" when not measured.
    static func integer(_ value: Double?) -> String { value.map { String(Int($0.rounded())) } ?? "—" }
}
