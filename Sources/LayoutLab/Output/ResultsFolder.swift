import CSV
import Foundation

/// The folder one experiment's results are written to. After every trial it rewrites `trials.csv`,
/// `samples.csv` and `per-node.csv` atomically, so the folder always holds every finished trial and never
/// a truncated file. A folder can be reopened to resume a run that stopped.
public final class ResultsFolder {
    public static let trialsFile = "trials.csv"
    public static let samplesFile = "samples.csv"
    public static let perNodeFile = "per-node.csv"
    public static let phasesFile = "phases.csv"
    public static let environmentFile = "environment.json"
    /// A byte-for-byte copy of the experiment file, so the folder alone can resume or reproduce the run.
    public static let experimentFile = "experiment.json"
    public static let generatedSourceFile = "generated-layouts.swift"

    public let directory: URL
    public let experiment: Experiment
    public private(set) var records: [TrialRecord] = []
    private var trialsTable = CSVTable(header: TrialsTable.header)
    private var samplesTable = CSVTable(header: SamplesTable.header)
    private var phasesTable = CSVTable(header: PhasesTable.header)

    /// Creates the folder and copies the experiment file into it.
    public init(creating directory: URL, experiment: Experiment) throws {
        self.directory = directory
        self.experiment = experiment
        try FileManager.default.createDirectory(at: workersDirectory, withIntermediateDirectories: true)
        let copy = url(Self.experimentFile)
        if URL(fileURLWithPath: experiment.sourcePath).standardizedFileURL != copy.standardizedFileURL {
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: experiment.sourcePath)), to: copy)
        }
    }

    /// Reopens a folder: keeps the trials already in `trials.csv` and their samples; samples of a trial that
    /// never reached `trials.csv` (the one running when the run stopped) are dropped.
    public init(resuming directory: URL, experiment: Experiment) throws {
        self.directory = directory
        self.experiment = experiment
        let trialsByID = Dictionary(uniqueKeysWithValues: TrialPlan.trials(for: experiment).map { ($0.id, $0) })
        for cells in try Self.rows(of: url(Self.trialsFile), header: TrialsTable.header) {
            guard let record = TrialsTable.record(Dictionary(uniqueKeysWithValues: zip(TrialsTable.header, cells)), trials: trialsByID)
            else {
                throw RunError("\(url(Self.trialsFile).path): a row does not belong to experiment \(experiment.name): \(cells.first ?? "")")
            }
            records.append(record)
            trialsTable.append(cells.map { $0 })
        }
        let finished = finishedTrialIDs
        for cells in try Self.rows(of: url(Self.samplesFile), header: SamplesTable.header) where finished.contains(cells[0]) {
            samplesTable.append(cells.map { $0 })
        }
        for cells in try Self.rows(of: url(Self.phasesFile), header: PhasesTable.header) where finished.contains(cells[0]) {
            phasesTable.append(cells.map { $0 })
        }
    }

    public var workersDirectory: URL { url("workers") }

    public func url(_ file: String) -> URL { directory.appendingPathComponent(file) }

    /// Where a trial's worker writes its stderr.
    public func logURL(for trial: Trial) -> URL { workersDirectory.appendingPathComponent(trial.id + ".log") }

    /// Ids of the trials already recorded, whatever their status.
    public var finishedTrialIDs: Set<String> { Set(records.map(\.trial.id)) }

    public var run: ExperimentRun {
        var run = ExperimentRun(experiment: experiment, directory: directory, records: records)
        run.phaseRows = phasesTable.rows.map { cells in
            Dictionary(zip(PhasesTable.header, cells.map { $0 ?? "" }), uniquingKeysWith: { first, _ in first })
        }
        return run
    }

    /// Opens a finished (or stopped) results folder for reading: its own copy of the experiment and its tables.
    public static func open(_ directory: URL) throws -> ResultsFolder {
        let copy = directory.appendingPathComponent(experimentFile)
        guard FileManager.default.fileExists(atPath: copy.path) else {
            throw RunError("\(directory.path) is not a results folder of this lab: it has no \(experimentFile)")
        }
        return try ResultsFolder(resuming: directory, experiment: try ExperimentLoader().load(path: copy.path))
    }

    /// The rows of `samples.csv`, by column name.
    public var sampleRows: [[String: String]] {
        samplesTable.rows.map { cells in
            Dictionary(zip(SamplesTable.header, cells.map { $0 ?? "" }), uniquingKeysWith: { first, _ in first })
        }
    }

    /// Adds a finished trial and rewrites the tables.
    public func record(_ result: TrialResult) throws {
        records.append(TrialRecord(result: result))
        trialsTable.append(TrialsTable.row(TrialRecord(result: result)))
        samplesTable.append(contentsOf: SamplesTable.rows(result, phases: experiment.phases))
        phasesTable.append(contentsOf: PhasesTable.rows(result, seed: experiment.seed))
        try writeTables()
    }

    /// Adds every trial of another folder of the same experiment (a shard) and rewrites the tables.
    public func absorb(_ other: ResultsFolder) throws {
        records += other.records
        trialsTable.append(contentsOf: other.trialsTable.rows)
        samplesTable.append(contentsOf: other.samplesTable.rows)
        phasesTable.append(contentsOf: other.phasesTable.rows)
        try writeTables()
    }

    private func writeTables() throws {
        // Samples first: a trial appears in trials.csv only once its samples are on disk.
        try AtomicFile.write(samplesTable.text, to: url(Self.samplesFile))
        try AtomicFile.write(phasesTable.text, to: url(Self.phasesFile))
        try AtomicFile.write(trialsTable.text, to: url(Self.trialsFile))
        try AtomicFile.write(PerNodeCSV.table(PerNodeSummary.summaries(of: run)).text, to: url(Self.perNodeFile))
    }

    /// Removes the workers folder if no worker wrote anything.
    public func tidy() {
        if (try? FileManager.default.contentsOfDirectory(atPath: workersDirectory.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: workersDirectory)
        }
    }

    /// The rows of a CSV file written by the lab (CSV.swift reads it), in the columns of `expected`; an absent
    /// file has none. A file from an earlier version of the lab may lack columns added since: they read empty.
    static func rows(of url: URL, header expected: [String]) throws -> [[String]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let reader = try CSVReader(string: try String(contentsOf: url, encoding: .utf8), hasHeaderRow: true)
        let header = reader.headerRow ?? []
        let unknown = header.filter { !expected.contains($0) }
        guard unknown.isEmpty, header.first == expected.first else {
            throw RunError("\(url.path) does not have the columns this version of the lab writes (unknown: \(unknown.joined(separator: ", ")))")
        }
        let positions = expected.map { header.firstIndex(of: $0) }
        var rows: [[String]] = []
        while let row = reader.next() {
            rows.append(positions.map { position in position.flatMap { $0 < row.count ? row[$0] : nil } ?? "" })
        }
        return rows
    }
}
