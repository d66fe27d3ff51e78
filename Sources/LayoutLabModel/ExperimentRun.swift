import Foundation

/// The results of one experiment: where they were written and every recorded trial.
public struct ExperimentRun: Sendable {
    public var experiment: Experiment
    public var directory: URL
    public var records: [TrialRecord]
    /// Disturbed runs of trials that were run again (`disturbed-attempts/trials.csv`), in the order they ran.
    public var disturbedAttempts: [TrialRecord] = []
    /// The rows of `phases.csv`.
    public var phaseRows: [PhaseRow] = []
    /// False when the run was stopped before every trial was recorded.
    public var complete: Bool = true
    /// True when `--resume` found the folder complete and left every file as it was.
    public var nothingToResume = false

    package init(experiment: Experiment, directory: URL, records: [TrialRecord]) {
        self.experiment = experiment
        self.directory = directory
        self.records = records
    }

    public var failedTrials: Int { records.filter { $0.status != .ok }.count }
}
