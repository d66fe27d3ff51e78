import LayoutLabModel

/// What `run` and `merge` print when they finish: the table that fits the experiment's trials. Programs: each
/// program × allocator's peak RSS, exit figures, wall and CPU time (`ProgramTable`); traces: each trace ×
/// allocator's replay figures (`TraceReplayTable`); nodes: bytes and ns per node (`PerNodeTable`), whose legend
/// speaks of nodes and checkpoints and so is printed for node trials only.
public enum RunSummary {
    /// The summary as terminal text: a heading line naming the experiment and what it ran, then the table.
    public static func render(_ run: ExperimentRun) -> String {
        let experiment = run.experiment
        let allocators = "\(experiment.allocators.count) allocator(s) × \(experiment.repetitions) repetition(s)"
        if let programs = ProgramTable.markdown(run) {
            return "\n\(experiment.name) · \(experiment.programs?.count ?? 0) program(s) × \(allocators)\n" + programs + failures(run)
        }
        if let traces = TraceReplayTable.markdown(run) {
            return "\n\(experiment.name) · \(experiment.traces?.count ?? 0) trace(s) replayed × \(allocators)\n" + traces + failures(run)
        }
        return PerNodeTable.render(run)
    }

    private static func failures(_ run: ExperimentRun) -> String {
        run.failedTrials > 0 ? "\(run.failedTrials) trial(s) did not succeed; see trials.csv (status, message).\n" : ""
    }
}
