import Foundation
import LayoutLabModel
import LayoutLabTables

/// `disturbed-attempts/` in a results folder: every run of a trial that was disturbed and then run again
/// (`"rerun_disturbed"`), kept whole, so that nothing measured is lost while the folder's own tables hold only
/// each trial's last run. Three tables with the folder's columns: `trials.csv` exactly (its `attempt` column says
/// which run each row is), `samples.csv` and `phases.csv` with an `attempt` column added at the end, so the rows
/// of two runs of one trial can be told apart. Written like the folder's own tables: each file atomically,
/// samples and phases before the trial row, so a SIGKILL at any moment leaves every attempt whole or absent;
/// reopened on `--resume`, when rows of an attempt that never reached its `trials.csv` are dropped. The folder
/// exists only once an attempt was kept.
public final class DisturbedAttempts {
    public static let folderName = "disturbed-attempts"
    public static let samplesHeader = SamplesTable.header + ["attempt"]
    public static let phasesHeader = PhasesTable.header + ["attempt"]

    public let directory: URL
    /// The attempts kept, in the order they ran.
    public private(set) var records: [TrialRecord] = []
    private var trialsTable = CSVTable(header: TrialsTable.header)
    private var samplesTable = CSVTable(header: DisturbedAttempts.samplesHeader)
    private var phasesTable = CSVTable(header: DisturbedAttempts.phasesHeader)

    /// The attempts already kept under `resultsDirectory` (none when the folder does not exist); `trials` maps
    /// the experiment's trial ids to trials.
    init(in resultsDirectory: URL, trials: [String: Trial]) throws {
        directory = resultsDirectory.appendingPathComponent(Self.folderName)
        let trialsURL = directory.appendingPathComponent(ResultsFolder.trialsFile)
        var kept = Set<String>()
        for cells in try ResultsFolder.rows(of: trialsURL, header: TrialsTable.header) {
            guard let record = TrialsTable.record(cells, trials: trials)
            else { throw ResultsFolderError.foreignRow(file: trialsURL.path, experiment: nil, trialID: cells.first ?? "") }
            records.append(record)
            trialsTable.append(cells.map { $0 })
            kept.insert(Self.key(record.trial.id, record.attempt))
        }
        for (file, table) in [(ResultsFolder.samplesFile, \DisturbedAttempts.samplesTable), (ResultsFolder.phasesFile, \DisturbedAttempts.phasesTable)] {
            let url = directory.appendingPathComponent(file)
            var rows = try ResultsFolder.rows(of: url, header: self[keyPath: table].header)
            if ResultsFolder.endsMidLine(url), !rows.isEmpty { rows.removeLast() }
            for cells in rows where kept.contains(Self.key(cells[0], Int(cells[cells.count - 1]) ?? 0)) {
                self[keyPath: table].append(cells.map { $0 })
            }
        }
    }

    /// How many runs of the trial are kept here.
    public func attempts(of trialID: String) -> Int { records.filter { $0.trial.id == trialID }.count }

    /// Keeps a disturbed run and rewrites the three tables, samples and phases first.
    func keep(_ result: TrialResult, experiment: Experiment) throws {
        let attempt = String(result.attempt)
        let metrics = TrialMetrics(result: result)
        samplesTable.append(contentsOf: SamplesTable.rows(result, phases: experiment.phases).map { $0 + [attempt] })
        phasesTable.append(contentsOf: PhasesTable.rows(result, metrics: metrics, seed: experiment.seed).map { $0 + [attempt] })
        let record = TrialRecord(result: result, metrics: metrics)
        records.append(record)
        trialsTable.append(TrialsTable.row(record))
        try write()
    }

    /// Adds the attempts another folder of the same experiment kept (a shard being merged).
    func absorb(_ other: DisturbedAttempts) throws {
        guard !other.records.isEmpty else { return }
        records += other.records
        trialsTable.append(contentsOf: other.trialsTable.rows)
        samplesTable.append(contentsOf: other.samplesTable.rows)
        phasesTable.append(contentsOf: other.phasesTable.rows)
        try write()
    }

    /// Removes temporary files a killed run left here.
    package func removeLeftovers() { AtomicFile.removeLeftovers(in: directory) }

    private func write() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(samplesTable.text, to: directory.appendingPathComponent(ResultsFolder.samplesFile))
        try AtomicFile.write(phasesTable.text, to: directory.appendingPathComponent(ResultsFolder.phasesFile))
        AtomicFile.syncDirectory(directory)
        try AtomicFile.write(trialsTable.text, to: directory.appendingPathComponent(ResultsFolder.trialsFile))
        AtomicFile.syncDirectory(directory)
        AtomicFile.syncDirectory(directory.deletingLastPathComponent())
    }

    private static func key(_ trialID: String, _ attempt: Int) -> String { "\(trialID)#\(attempt)" }
}
