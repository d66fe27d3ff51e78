import LayoutLabModel

/// The classic charts and tables of an experiment with `"threads"`: each shows one thread count (the smallest,
/// `Experiment.chartThreads`) or one table per thread count, never a median over trials of different counts.
extension ExperimentRun {
    /// The run with only the trials (records, phase rows, disturbed attempts) at `threads` (nil: the classic
    /// one-thread trials, every trial of an experiment without `"threads"`).
    package func restricted(toThreads threads: Int?) -> ExperimentRun {
        guard experiment.threads != nil else { return self }
        var run = self
        run.records = records.filter { $0.trial.threads == threads }
        run.disturbedAttempts = disturbedAttempts.filter { $0.trial.threads == threads }
        let trials = TrialIDIndex(experiment: experiment)
        run.phaseRows = phaseRows.filter { trials[$0.trialID]?.configuration.threads == threads }
        return run
    }
}

extension Experiment {
    /// The thread count the classic charts show: the smallest of `threads`; nil (the classic trial) without them.
    package var chartThreads: Int? { threads?.min() }

    /// " · T = 2 threads": what a title adds for a threaded experiment's thread count; "" for the classic trial.
    package static func threadsLabel(_ threads: Int?) -> String {
        threads.map { " · T = \($0) thread\($0 == 1 ? "" : "s")" } ?? ""
    }
}
