import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// The chart tables of an experiment with an `idle` phase, where what matters is seconds, not progress through
/// a phase: `timeline-seconds.csv` (RSS of repetition 1 on a seconds axis), `timeline-spans.csv` (where each
/// phase of each line begins and ends on that axis) and `idle-return.csv` (RSS from the start of the first
/// idle phase, every repetition, a line per allocator). All empty for an experiment without an idle phase.
extension ChartData {
    /// Whether the experiment sleeps in a phase: its timeline is then drawn on a seconds axis.
    package static func hasIdlePhase(_ experiment: Experiment) -> Bool {
        experiment.phases.contains { $0.kind == .idle }
    }

    /// The successful trials of one set of charts (its shape, node count and thread count), in plan order.
    private static func focusedRecords(_ run: ExperimentRun, focus: Focus) -> [TrialRecord] {
        run.records.filter {
            $0.status == .ok && $0.trial.shape.name == focus.shape.name && $0.trial.nodes == focus.nodes && $0.trial.threads == focus.threads
        }
    }

    /// A trial's samples on a seconds axis: each phase starts where the one before it ended (its last sample's
    /// elapsed time: the phase's own work, sampling excluded; an idle phase's is the time asleep), so the axis is
    /// the trial's measured time, not the wall clock of the worker (which also spent time sampling).
    private static func onSecondsAxis(_ rows: [SampleRow], phases: Int) -> [(row: SampleRow, seconds: Double, phaseStart: Double)] {
        var result: [(row: SampleRow, seconds: Double, phaseStart: Double)] = []
        var offsetNs = 0
        for phaseIndex in 0..<phases {
            let phaseRows = rows.filter { $0.phaseIndex == phaseIndex }
            guard let lastNs = phaseRows.map(\.sample.elapsedNs).max() else { continue }
            for row in phaseRows {
                result.append((row, Double(offsetNs + row.sample.elapsedNs) / 1e9, Double(offsetNs) / 1e9))
            }
            offsetNs += lastNs
        }
        return result
    }

    /// RSS of repetition 1 of every layout, x = seconds since the trial's first phase began (see `onSecondsAxis`);
    /// `in_idle` is 1 for samples of an idle phase. Empty without an idle phase, or with a single phase.
    package static func timelineSeconds(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "layout", "phase_index", "phase_label", "seconds", "rss_mib", "in_idle"])
        let phases = run.experiment.phases
        guard hasIdlePhase(run.experiment), phases.count > 1 else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for record in focusedRecords(run, focus: focus) where record.trial.repetition == 1 {
            for point in onSecondsAxis(byTrial[record.trial.id] ?? [], phases: phases.count) {
                let phase = phases[point.row.phaseIndex]
                table.append([
                    record.trial.allocator.name, ChartLine(layout: record.trial.layout, pythonLabel: record.trial.pythonLabel).name, String(point.row.phaseIndex), label(phase),
                    CSVNumber.cell(point.seconds), CSVNumber.cell(point.row.sample.rssBytes.map { Double($0) / 1_048_576 }),
                    phase.kind == .idle ? "1" : "0",
                ])
            }
        }
        return table
    }

    /// Where each phase of each line of `timelineSeconds` begins and ends, in seconds (repetition 1), and the RSS
    /// of its first sample: the chart shades the idle spans and marks where each phase begins.
    package static func timelineSpans(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "layout", "phase_index", "phase_label", "start_seconds", "end_seconds", "start_rss_mib", "is_idle"])
        let phases = run.experiment.phases
        guard hasIdlePhase(run.experiment), phases.count > 1 else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for record in focusedRecords(run, focus: focus) where record.trial.repetition == 1 {
            let points = onSecondsAxis(byTrial[record.trial.id] ?? [], phases: phases.count)
            for phaseIndex in phases.indices {
                let inPhase = points.filter { $0.row.phaseIndex == phaseIndex }
                guard let first = inPhase.first, let end = inPhase.map(\.seconds).max() else { continue }
                table.append([
                    record.trial.allocator.name, ChartLine(layout: record.trial.layout, pythonLabel: record.trial.pythonLabel).name, String(phaseIndex), label(phases[phaseIndex]),
                    CSVNumber.cell(first.phaseStart), CSVNumber.cell(end),
                    CSVNumber.cell(first.row.sample.rssBytes.map { Double($0) / 1_048_576 }), phases[phaseIndex].kind == .idle ? "1" : "0",
                ])
            }
        }
        return table
    }

    /// RSS through the first idle phase of every repetition, x = seconds asleep (0: the phase's first sample),
    /// with `returned_mib` = RSS at the start − RSS now: what the allocator gave back while the program slept.
    package static func idleReturn(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["layout", "allocator", "repetition", "seconds_asleep", "rss_mib", "returned_mib"])
        guard let idleIndex = run.experiment.phases.firstIndex(where: { $0.kind == .idle }) else { return table }
        let byTrial = Dictionary(grouping: samples, by: \.trialID)
        for record in focusedRecords(run, focus: focus) {
            let rows = (byTrial[record.trial.id] ?? []).filter { $0.phaseIndex == idleIndex }
            let startRSS = rows.first?.sample.rssBytes
            for row in rows {
                let rss = row.sample.rssBytes
                table.append([
                    ChartLine(layout: record.trial.layout, pythonLabel: record.trial.pythonLabel).name, record.trial.allocator.name, String(record.trial.repetition),
                    CSVNumber.cell(Double(row.sample.elapsedNs) / 1e9), CSVNumber.cell(rss.map { Double($0) / 1_048_576 }),
                    CSVNumber.cell(both(startRSS, rss).map { Double($0 - $1) / 1_048_576 }),
                ])
            }
        }
        return table
    }
}

/// Both values, or nil when either is missing (a missing sample is an empty cell).
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
