import CSV
import Foundation
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabTables

/// The folder one experiment's results are written to.
///
/// While a run goes on, `trials.journal` (`TrialJournal`) is the source of truth: each finished trial is
/// appended to it, samples, phases and trial row in one entry, and `fsync`ed before `record` returns, a cost that
/// does not grow with the suite. `samples.csv`, `phases.csv`, `allocation-sizes.csv`, then `trials.csv` and
/// `per-node.csv` are assembled
/// from it, each atomically (temporary file, fsync, rename) and samples first, on a schedule
/// (`AssemblySchedule`) that keeps their share of the run's time under 5 %: after every trial when trials are
/// slow, a fraction of a second behind when they are fast (the last of them waiting for the end of the next
/// trial), and always at the end of a run (finished, stopped or failed: `assembleTables`). So the CSV files always hold whole trials, a trial is in `trials.csv` only once its
/// samples are, and a reader never meets a truncated file; after a SIGKILL they may lack the last trials the
/// journal holds. Reopening a folder reads the journal (its torn last entry, if a kill cut one, is ignored and cut
/// before the next append) and `--resume` assembles the files again from it. A folder written before the journal
/// existed is read from its CSV files (rows of a trial that never reached `trials.csv` dropped) and gets a
/// journal of them before its first new trial.
public final class ResultsFolder {
    public static let trialsFile = "trials.csv"
    public static let samplesFile = "samples.csv"
    public static let perNodeFile = "per-node.csv"
    public static let phasesFile = "phases.csv"
    /// The probe's node allocations by requested size (`AllocationSizesTable`).
    public static let allocationSizesFile = "allocation-sizes.csv"
    public static let environmentFile = "environment.json"
    /// A byte-for-byte copy of the experiment file, so the folder alone can resume or reproduce the run.
    public static let experimentFile = "experiment.json"
    public static let generatedSourceFile = "generated-layouts.swift"
    /// The append-only record of finished trials the CSV files are assembled from (`TrialJournal`).
    public static let journalFile = TrialJournal.fileName

    public let directory: URL
    public let experiment: Experiment
    public private(set) var records: [TrialRecord] = []
    /// The disturbed runs of trials that were run again (`disturbed-attempts/`).
    public let disturbedAttempts: DisturbedAttempts
    private var trialsTable = CSVTable(header: TrialsTable.header)
    /// The rows of `samples.csv` and `phases.csv`, as the files hold them.
    public private(set) var sampleRows: [SampleRow] = []
    public private(set) var phaseRows: [PhaseRow] = []
    /// The rows of `allocation-sizes.csv`, as the file holds them.
    public private(set) var allocationSizeRows: [AllocationSizeRow] = []
    /// The text of `samples.csv` and `phases.csv`, header included, with every recorded trial: what the next
    /// assembly writes, extended trial by trial so that it is never rendered again.
    private var samplesText = Data()
    private var phasesText = Data()
    private var allocationSizesText = Data()
    /// Opened at the first append; until then the folder writes nothing.
    private var journal: TrialJournalWriter?
    /// Where the journal's whole entries end as read (the length the first append cuts it to).
    private var journalWholeBytes = 0
    /// False for a folder read from its CSV files: the journal must be written from them before it grows.
    private var journalHoldsRecords = true
    private var schedule = AssemblySchedule()
    /// How many trials the CSV files held when this object last assembled them; nil: not known (reopened).
    private var assembledTrials: Int? = 0

    /// Creates the folder and copies the experiment file into it.
    public init(creating directory: URL, experiment: Experiment) throws {
        self.directory = directory
        self.experiment = experiment
        samplesText = Data(CSVTable(header: SamplesTable.header).headerLine.utf8)
        phasesText = Data(CSVTable(header: PhasesTable.header).headerLine.utf8)
        allocationSizesText = Data(CSVTable(header: AllocationSizesTable.header).headerLine.utf8)
        disturbedAttempts = try DisturbedAttempts(in: directory, trials: [:])
        try FileManager.default.createDirectory(at: workersDirectory, withIntermediateDirectories: true)
        let copy = url(Self.experimentFile)
        if URL(fileURLWithPath: experiment.sourcePath).standardizedFileURL != copy.standardizedFileURL {
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: experiment.sourcePath)), to: copy)
        }
    }

    /// Reopens a folder: keeps the trials its journal holds (or, for a folder from before the journal, the
    /// trials already in `trials.csv` and their samples; samples of a trial that never reached `trials.csv`, the
    /// one running when the run stopped, are dropped). Writes nothing.
    public init(resuming directory: URL, experiment: Experiment) throws {
        self.directory = directory
        self.experiment = experiment
        let trialsByID = Dictionary(uniqueKeysWithValues: TrialPlan.possibleTrials(for: experiment).map { ($0.id, $0) })
        disturbedAttempts = try DisturbedAttempts(in: directory, trials: trialsByID)
        assembledTrials = nil
        if let journal = try TrialJournal.read(url(Self.journalFile)) {
            try load(journal, trials: trialsByID)
        } else {
            try loadTables(trials: trialsByID)
        }
        samplesText = Data(SamplesTable.schema.table(sampleRows).text.utf8)
        phasesText = Data(PhasesTable.schema.table(phaseRows).text.utf8)
        allocationSizesText = Data(AllocationSizesTable.schema.table(allocationSizeRows).text.utf8)
    }

    private func load(_ journal: TrialJournal.Contents, trials: [String: Trial]) throws {
        journalWholeBytes = journal.wholeBytes
        // A journal of earlier columns is written again whole, in the current ones, before anything is appended.
        if journal.earlierColumns { journalHoldsRecords = false }
        let file = url(Self.journalFile).path
        for entry in journal.entries {
            guard entry.trial.count == TrialsTable.header.count, entry.samples.allSatisfy({ $0.count == SamplesTable.header.count }),
                entry.phases.allSatisfy({ $0.count == PhasesTable.header.count }),
                entry.sizes.allSatisfy({ $0.count == AllocationSizesTable.header.count })
            else {
                throw TrialJournalError.otherColumns(file: file, journalFile: Self.journalFile)
            }
            let cells = entry.trial.map { $0 ?? "" }
            guard let record = TrialsTable.record(cells, trials: trials)
            else { throw ResultsFolderError.foreignRow(file: file, experiment: experiment.name, trialID: cells.first ?? "") }
            records.append(record)
            trialsTable.append(entry.trial)
            sampleRows += entry.samples.map { SamplesTable.row($0.map { $0 ?? "" }) }
            phaseRows += entry.phases.map { PhasesTable.row($0.map { $0 ?? "" }) }
            allocationSizeRows += entry.sizes.map { AllocationSizesTable.row($0.map { $0 ?? "" }) }
        }
        // A configuration's precision decision is written into its rows after they reached the journal.
        if experiment.precision != nil {
            for configuration in Set(records.map(\.trial.configuration)) { markPrecision(of: configuration) }
        }
    }

    private func loadTables(trials trialsByID: [String: Trial]) throws {
        journalHoldsRecords = false
        for cells in try Self.rows(of: url(Self.trialsFile), header: TrialsTable.header) {
            guard let record = TrialsTable.record(cells, trials: trialsByID)
            else {
                throw ResultsFolderError.foreignRow(file: url(Self.trialsFile).path, experiment: experiment.name, trialID: cells.first ?? "")
            }
            records.append(record)
            trialsTable.append(cells.map { $0 })
        }
        let finished = finishedTrialIDs
        sampleRows = try Self.finishedRows(of: url(Self.samplesFile), header: SamplesTable.header, finished: finished)
            .map(SamplesTable.row)
        phaseRows = try Self.finishedRows(of: url(Self.phasesFile), header: PhasesTable.header, finished: finished)
            .map(PhasesTable.row)
        allocationSizeRows = try Self.finishedRows(
            of: url(Self.allocationSizesFile), header: AllocationSizesTable.header, finished: finished
        ).map(AllocationSizesTable.row)
    }

    public var workersDirectory: URL { url("workers") }

    public func url(_ file: String) -> URL { directory.appendingPathComponent(file) }

    /// Where a trial's worker writes its stderr.
    public func logURL(for trial: Trial) -> URL { workersDirectory.appendingPathComponent(trial.id + ".log") }
    /// The stderr of the trial's run under callgrind (`"instructions": "valgrind"`), kept when that run failed.
    public func callgrindLogURL(for trial: Trial) -> URL { workersDirectory.appendingPathComponent(trial.id + ".callgrind.log") }

    /// Ids of the trials already recorded, whatever their status.
    public var finishedTrialIDs: Set<String> { Set(records.map(\.trial.id)) }

    public var run: ExperimentRun {
        var run = ExperimentRun(experiment: experiment, directory: directory, records: records)
        run.disturbedAttempts = disturbedAttempts.records
        run.phaseRows = phaseRows
        return run
    }

    /// Opens a finished (or stopped) results folder for reading: its own copy of the experiment and its trials (from its journal, or its CSV files for a folder from before it).
    public static func open(_ directory: URL) throws -> ResultsFolder {
        let copy = directory.appendingPathComponent(experimentFile)
        guard FileManager.default.fileExists(atPath: copy.path) else {
            throw ResultsFolderError.notAResultsFolder(directory: directory.path, lacking: experimentFile)
        }
        let record = EnvironmentReader(directory: directory).record
        var experiment = try ExperimentLoader().load(path: copy.path, relativeTo: record?.experiment.path)
        // The host is not asked: the interpreters are the ones the folder recorded (they name its Python trials), and
        // the traces' event counts are the ones read when the run started (the files may be elsewhere, or gone).
        experiment.pythons = record?.recordedPythons ?? []
        experiment.restoreTraces(from: record)
        return try ResultsFolder(resuming: directory, experiment: experiment)
    }

    /// Adds a finished trial: appends it to the journal (on disk when this returns), then assembles the CSV
    /// files if the schedule says they are due.
    public func record(_ result: TrialResult) throws {
        let metrics = TrialMetrics(result: result)
        let typedSamples = SampleRow.rows(of: result, phases: experiment.phases)
        let samples = typedSamples.map(SamplesTable.schema.cells)
        let phases = PhasesTable.rows(result, metrics: metrics, seed: experiment.seed)
        let record = TrialRecord(result: result, metrics: metrics)
        let row = TrialsTable.row(record)
        let sizes = AllocationSizeRow.rows(of: result)
        let samplesLines = CSVTable.lines(samples), phasesLines = CSVTable.lines(phases)
        let sizesLines = AllocationSizesTable.schema.lines(sizes)
        try appendToJournal([TrialJournal.encode(
            samples: samplesLines, sampleCount: samples.count, phases: phasesLines, phaseCount: phases.count,
            sizes: sizesLines, sizeCount: sizes.count, trial: CSVTable.lines([row]))])
        // A sample's figures are integers, written and read back unchanged; phase rows are kept as the file holds
        // them (three decimals), so this run's report is what a later reading gives.
        sampleRows += typedSamples
        phaseRows += phases.map { PhasesTable.row($0.map { $0 ?? "" }) }
        // Usable bytes per size are written with three decimals: kept as the file holds them.
        allocationSizeRows += sizes.map { AllocationSizesTable.schema.asWritten($0, blank: AllocationSizeRow.blank) }
        samplesText.append(contentsOf: samplesLines.utf8)
        phasesText.append(contentsOf: phasesLines.utf8)
        allocationSizesText.append(contentsOf: sizesLines.utf8)
        records.append(record)
        trialsTable.append(row)
        if experiment.precision != nil { markPrecision(of: record.trial.configuration) }
        if schedule.isDue(at: AssemblySchedule.now()) { try writeTables() }
    }

    /// Brings the CSV files up to date with every trial recorded: what a run does when it ends, however it
    /// ends. Writes nothing when they already are.
    public func assembleTables() throws {
        if assembledTrials != records.count { try writeTables() }
    }

    /// Keeps a disturbed run that is about to be run again in `disturbed-attempts/`; the trial's own row waits
    /// for its last run.
    public func keepDisturbedAttempt(_ result: TrialResult) throws {
        try disturbedAttempts.keep(result, experiment: experiment)
    }

    // MARK: Precision

    /// Where a configuration (`Trial.configuration`) stands against the experiment's precision target, from
    /// its recorded trials; nil without a target or while planned repetitions are missing.
    public func precisionState(of configuration: String) -> PrecisionState? {
        guard let target = experiment.precision else { return nil }
        let mine = records.indices.filter { records[$0].trial.configuration == configuration }
        let column = TrialsTable.header.firstIndex(of: target.metric)
        // The metric by its trials.csv column, whatever column it is: the cells as they are written.
        let values: [Double?] = mine.filter { records[$0].status == .ok }.map { index in
            column.flatMap { trialsTable.rows[index][$0] }.flatMap { Double($0) }
        }
        return PrecisionState.evaluate(
            target, plannedRepetitions: experiment.repetitions, repetitionsRun: mine.map { records[$0].trial.repetition },
            values: values)
    }

    /// Writes the configuration's decision into each of its rows (`precision_reached`, and the relative
    /// half-width it ended with); they stay empty while it is undecided.
    private func markPrecision(of configuration: String) {
        guard let state = precisionState(of: configuration), state.reached != nil,
            let reachedColumn = TrialsTable.header.firstIndex(of: "precision_reached"),
            let widthColumn = TrialsTable.header.firstIndex(of: "precision_relative_half_width")
        else { return }
        for index in records.indices where records[index].trial.configuration == configuration {
            records[index].precisionReached = state.reached
            records[index].precisionRelativeHalfWidth = state.relativeHalfWidth
            trialsTable.set(TrialsTable.schema.columns[reachedColumn].render(records[index]), row: index, column: reachedColumn)
            trialsTable.set(TrialsTable.schema.columns[widthColumn].render(records[index]), row: index, column: widthColumn)
        }
    }

    /// Adds every trial of another folder of the same experiment (a shard) and assembles the tables.
    public func absorb(_ other: ResultsFolder) throws {
        try appendToJournal(other.journalEntries())
        records += other.records
        trialsTable.append(contentsOf: other.trialsTable.rows)
        sampleRows += other.sampleRows
        phaseRows += other.phaseRows
        allocationSizeRows += other.allocationSizeRows
        samplesText.append(contentsOf: SamplesTable.schema.lines(other.sampleRows).utf8)
        phasesText.append(contentsOf: PhasesTable.schema.lines(other.phaseRows).utf8)
        allocationSizesText.append(contentsOf: AllocationSizesTable.schema.lines(other.allocationSizeRows).utf8)
        try disturbedAttempts.absorb(other.disturbedAttempts)
        try writeTables()
    }

    /// Appends entries to the journal, opening it first: cut to its whole entries, or, for a folder read from
    /// its CSV files, written whole from them (atomically: a kill leaves the folder with its CSV files only).
    private func appendToJournal(_ entries: [[UInt8]]) throws {
        if journal == nil {
            let file = url(Self.journalFile)
            if !journalHoldsRecords {
                let bytes = Array(TrialJournal.firstLine.utf8) + journalEntries().joined()
                try AtomicFile.write(Data(bytes), to: file)
                AtomicFile.syncDirectory(directory)
                journalWholeBytes = bytes.count
                journalHoldsRecords = true
            }
            journal = try TrialJournalWriter(url: file, wholeBytes: journalWholeBytes)
        }
        try journal?.append(entries)
    }

    /// Every recorded trial as a journal entry, with its samples and phases, in the order of `records`.
    private func journalEntries() -> [[UInt8]] {
        let samples = Dictionary(grouping: sampleRows, by: \.trialID)
        let phases = Dictionary(grouping: phaseRows, by: \.trialID)
        let sizes = Dictionary(grouping: allocationSizeRows, by: \.trialID)
        return trialsTable.rows.map { row in
            let id = row[0] ?? ""
            return TrialJournal.encode(
                samples: SamplesTable.schema.lines(samples[id] ?? []), sampleCount: samples[id]?.count ?? 0,
                phases: PhasesTable.schema.lines(phases[id] ?? []), phaseCount: phases[id]?.count ?? 0,
                sizes: AllocationSizesTable.schema.lines(sizes[id] ?? []), sizeCount: sizes[id]?.count ?? 0,
                trial: CSVTable.lines([row]))
        }
    }

    private func writeTables() throws {
        let start = AssemblySchedule.now()
        // Samples first: a trial appears in trials.csv only once its samples are on disk, renames included.
        try AtomicFile.write(samplesText, to: url(Self.samplesFile))
        try AtomicFile.write(phasesText, to: url(Self.phasesFile))
        try AtomicFile.write(allocationSizesText, to: url(Self.allocationSizesFile))
        AtomicFile.syncDirectory(directory)
        try AtomicFile.write(trialsTable.text, to: url(Self.trialsFile))
        AtomicFile.syncDirectory(directory)
        // Per-node medians need the trial records only: no phase rows turned into dictionaries on every trial.
        let trialsOnly = ExperimentRun(experiment: experiment, directory: directory, records: records)
        try AtomicFile.write(PerNodeCSV.table(PerNodeSummary.summaries(of: trialsOnly)).text, to: url(Self.perNodeFile))
        assembledTrials = records.count
        schedule.assembled(from: start, to: AssemblySchedule.now())
    }

    /// Removes the workers folder if no worker wrote anything.
    public func tidy() {
        if (try? FileManager.default.contentsOfDirectory(atPath: workersDirectory.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: workersDirectory)
        }
    }
}
