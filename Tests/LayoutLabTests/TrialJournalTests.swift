import Foundation
import LayoutLabSampling
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabExperiments
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabTables

/// The recovery rule of the results folder's journal: whatever a kill cut off, reopening gives the last whole
/// trial, the next append follows it, and the CSV files assembled from it are whole.
@Suite("Trial journal")
struct TrialJournalTests {
    static func experiment(in directory: URL) throws -> Experiment {
        let file = directory.appendingPathComponent("journal.json")
        try """
            { "name": "journal", "layouts": ["final-class", "struct-array"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [1000], "allocators": ["system"], "repetitions": 3 }
            """.write(to: file, atomically: true, encoding: .utf8)
        return try ExperimentLoader().load(path: file.path)
    }

    /// A finished trial with three samples; the second trial's message needs quoting (comma, quote, line break).
    static func result(_ trial: Trial, index: Int) -> TrialResult {
        let samples = (0..<3).map {
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: $0 * 500, elapsedNs: $0 * 1000, rssBytes: (10 << 20) + $0 * 40_000))
        }
        let outcomes = [PhaseOutcome(index: 0, spec: PhaseSpec(.allocate), checksum: 0, liveNodes: 1000, applicable: true)]
        return TrialResult(
            trial: trial, status: .ok, phaseSamples: samples, outcomes: outcomes, wallNs: 1_000_000 + index,
            message: index == 1 ? "a \"quoted\", two-line\nmessage" : nil)
    }

    /// A folder holding the first `count` trials of the plan, its CSV files assembled.
    static func folder(recording count: Int, label: String) throws -> (ResultsFolder, [Trial]) {
        let directory = try TestSupport.temporaryDirectory(label)
        let experiment = try experiment(in: directory)
        let folder = try ResultsFolder(creating: directory.appendingPathComponent("r"), experiment: experiment)
        let plan = TrialPlan.trials(for: experiment)
        for (index, trial) in plan.prefix(count).enumerated() { try folder.record(result(trial, index: index)) }
        try folder.assembleTables()
        return (folder, plan)
    }

    /// Every CSV file of the folder ends with a line break and has the header's cell count on every row; returns
    /// the rows of trials.csv and samples.csv.
    static func wholeTables(_ folder: URL) throws -> (trials: [[String: String]], samples: [[String: String]]) {
        for file in [ResultsFolder.trialsFile, ResultsFolder.samplesFile, ResultsFolder.phasesFile, ResultsFolder.perNodeFile] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.hasSuffix("\n"), "\(file) ends mid-line")
            let table = try TestSupport.readCSV(folder.appendingPathComponent(file))
            #expect(table.rows.allSatisfy { $0.count == table.header.count }, "\(file): a row of another width")
        }
        return (
            try TestSupport.readCSV(folder.appendingPathComponent(ResultsFolder.trialsFile)).rows,
            try TestSupport.readCSV(folder.appendingPathComponent(ResultsFolder.samplesFile)).rows
        )
    }

    @Test func everyPrefixOfAJournalReadsAsItsWholeEntries() throws {
        let (folder, _) = try Self.folder(recording: 2, label: "journal-prefix")
        let bytes = [UInt8](try Data(contentsOf: folder.url(ResultsFolder.journalFile)))
        let whole = try TrialJournal.parse(bytes, file: "j")
        #expect(whole.entries.count == 2 && whole.tornBytes == 0 && whole.wholeBytes == bytes.count)
        let firstEnd = try TrialJournal.parse(Array(bytes[..<(bytes.count - 1)]), file: "j").wholeBytes
        for length in 0..<bytes.count {
            let prefix = try TrialJournal.parse(Array(bytes[..<length]), file: "j")
            let expected = length == bytes.count ? 2 : length >= firstEnd ? 1 : 0
            #expect(prefix.entries.count == expected, "prefix of \(length) bytes")
            #expect(prefix.entries == Array(whole.entries.prefix(expected)), "prefix of \(length) bytes")
            #expect(prefix.wholeBytes + prefix.tornBytes == length)
        }
    }

    @Test func anEntryWhosePayloadChangedIsATornTail() throws {
        let (folder, _) = try Self.folder(recording: 2, label: "journal-checksum")
        var bytes = [UInt8](try Data(contentsOf: folder.url(ResultsFolder.journalFile)))
        // One digit of the last entry changed: its rows may still parse, its checksum no longer holds.
        let index = try #require(bytes.lastIndex(of: UInt8(ascii: "2")))
        bytes[index] = UInt8(ascii: "3")
        let contents = try TrialJournal.parse(bytes, file: "j")
        #expect(contents.entries.count == 1 && contents.tornBytes > 0)
    }

    @Test func aTornTailReopensToTheLastWholeTrialAndTheNextTrialFollowsIt() throws {
        let (folder, plan) = try Self.folder(recording: 3, label: "journal-torn")
        let journalURL = folder.url(ResultsFolder.journalFile)
        let length = try #require(try FileManager.default.attributesOfItem(atPath: journalURL.path)[.size] as? Int)
        // As a kill in the middle of the third trial's append leaves it.
        #expect(truncate(journalURL.path, off_t(length - 10)) == 0)

        let reopened = try ResultsFolder(resuming: folder.directory, experiment: folder.experiment)
        #expect(reopened.records.map(\.trial.id) == plan.prefix(2).map(\.id), "the cut trial is not recorded: resume runs it again")
        #expect(reopened.records[1].message == "a \"quoted\", two-line\nmessage")
        try reopened.record(Self.result(plan[3], index: 3))
        try reopened.assembleTables()

        let journal = try #require(try TrialJournal.read(journalURL))
        #expect(journal.tornBytes == 0, "the torn tail is cut before the next append")
        #expect(journal.entries.map { $0.trial[0] } == [plan[0].id, plan[1].id, plan[3].id])
        let (trials, samples) = try Self.wholeTables(folder.directory)
        #expect(trials.map { $0["trial_id"] } == [plan[0].id, plan[1].id, plan[3].id])
        #expect(trials[1]["message"] == "a \"quoted\", two-line\nmessage")
        for row in trials { #expect(samples.filter { $0["trial_id"] == row["trial_id"] }.count == 3) }
        #expect(samples.count == 9, "no sample of the cut trial")
    }

    @Test func aFolderFromBeforeTheJournalGetsOneOfItsTrialsFirst() throws {
        let (folder, plan) = try Self.folder(recording: 2, label: "journal-legacy")
        try FileManager.default.removeItem(at: folder.url(ResultsFolder.journalFile))
        let reopened = try ResultsFolder(resuming: folder.directory, experiment: folder.experiment)
        #expect(reopened.records.count == 2, "read from its CSV files")
        try reopened.record(Self.result(plan[2], index: 2))
        let journal = try #require(try TrialJournal.read(folder.url(ResultsFolder.journalFile)))
        #expect(journal.entries.map { $0.trial[0] } == plan.prefix(3).map(\.id))
        #expect(journal.entries.allSatisfy { $0.samples.count == 3 && $0.phases.count == 1 })
    }

    @Test func aJournalOfOtherColumnsIsRefusedNotMisread() throws {
        let (folder, _) = try Self.folder(recording: 2, label: "journal-columns")
        let file = folder.url(ResultsFolder.journalFile)
        let bytes = try [UInt8](Data(contentsOf: file))
        let first = Array(TrialJournal.firstLine.utf8)
        #expect(bytes.starts(with: first))
        // The same rows under a first line naming other columns (a version of the lab that reordered them).
        let other = Array((TrialJournal.formatPrefix + "columns 0123456789abcdef\n").utf8) + bytes[first.count...]
        try Data(other).write(to: file)
        #expect(throws: TrialJournalError.otherColumns(file: file.path, journalFile: ResultsFolder.journalFile)) {
            try ResultsFolder(resuming: folder.directory, experiment: folder.experiment)
        }
        // A journal from before its first line named the columns.
        try Data(Array("layoutlab trial journal 1\n".utf8) + bytes[first.count...]).write(to: file)
        #expect(throws: TrialJournalError.otherColumns(file: file.path, journalFile: ResultsFolder.journalFile)) {
            try ResultsFolder(resuming: folder.directory, experiment: folder.experiment)
        }
    }

    /// A journal written before `tree_rss_bytes` was appended to samples.csv (its rows one cell short, its first line
    /// naming those columns) reads with that column empty, and a resume writes it again in the current columns.
    @Test func aJournalOfTheEarlierSamplesColumnsReadsAndIsRewrittenOnResume() throws {
        let (folder, plan) = try Self.folder(recording: 2, label: "journal-earlier")
        let file = folder.url(ResultsFolder.journalFile)
        let current = try #require(try TrialJournal.read(file))
        let earlier = Array(SamplesTable.header.prefix { $0 != "tree_rss_bytes" })
        var bytes = Array(TrialJournal.firstLine(samplesHeader: earlier).utf8)
        for entry in current.entries {
            let samples = entry.samples.map { Array($0.prefix(earlier.count)) }
            bytes += TrialJournal.encode(
                samples: CSVTable.lines(samples), sampleCount: samples.count, phases: CSVTable.lines(entry.phases),
                phaseCount: entry.phases.count, sizes: CSVTable.lines(entry.sizes), sizeCount: entry.sizes.count,
                trial: CSVTable.lines([entry.trial]))
        }
        try Data(bytes).write(to: file)
        let reopened = try ResultsFolder(resuming: folder.directory, experiment: folder.experiment)
        #expect(reopened.records.map(\.trial.id) == plan.prefix(2).map(\.id), "read, not refused")
        try reopened.record(Self.result(plan[2], index: 2))
        try reopened.assembleTables()
        let rewritten = try [UInt8](Data(contentsOf: file))
        #expect(rewritten.starts(with: Array(TrialJournal.firstLine.utf8)), "the current columns from the first append on")
        let journal = try #require(try TrialJournal.read(file))
        #expect(journal.entries.map { $0.trial[0] } == plan.prefix(3).map(\.id) && !journal.earlierColumns)
        #expect(journal.entries.allSatisfy { $0.samples.allSatisfy { $0.count == SamplesTable.header.count } })
        let (_, samples) = try Self.wholeTables(folder.directory)
        #expect(samples.count == 9 && samples.allSatisfy { $0["tree_rss_bytes"] == "" && $0["rss_bytes"] != "" })
    }

    @Test func theScheduleBoundsTheShareOfTimeSpentAssembling() {
        var schedule = AssemblySchedule()
        #expect(schedule.isDue(at: 0), "nothing assembled yet")
        schedule.assembled(from: 1.0, to: 1.01)
        #expect(!schedule.isDue(at: 1.19))
        #expect(schedule.isDue(at: 1.01 + AssemblySchedule.dutyFactor * 0.01 + 1e-9))
    }
}
