import CSV
import Foundation
import LayoutLabModel
import LayoutLabTables
import LayoutLabProtocol
import LayoutLabResults

/// The successful trials of a results folder as read back from its `trials.csv` (with CSV.swift): what
/// `compare` works from, so it can compare any two folders, from any run or machine. Each trial's phases
/// from `phases.csv` become columns too, named `<phase>.<column>` with the phase as the charts name it
/// (`traverse-rnd.ns_per_node`, `free-half.ns_per_node`; a phase listed twice is `traverse-seq#2`); a phase
/// that cannot apply leaves its cells empty.
public struct TrialTable: Sendable {
    public struct Row: Sendable {
        public var shape: String
        public var layout: String
        public var nodes: Int
        public var allocator: String
        public var repetition: Int
        /// The trial's thread count when its `trial_id` carries one (`….tT.rN`, an experiment with `"threads"`);
        /// nil for the classic one-thread trial (whose `threads` cell says 1) and for folders from before threads.
        public var threads: Int?
        /// A Python trial's interpreter version (`python_version`, `3.12.1`); nil for Swift layouts and for folders
        /// from before the column. Trials of different interpreters are never paired.
        public var python: String?
        public var cells: [String: String]

        /// A metric column as a number; nil for an empty cell.
        public func value(_ metric: String) -> Double? { cells[metric].flatMap { Double($0) } }
    }

    public var directory: URL
    public var header: [String]
    /// Rows whose status is `ok`.
    public var rows: [Row]

    public init(directory: URL) throws {
        let file = directory.appendingPathComponent(ResultsFolder.trialsFile)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw ResultsFolderError.notAResultsFolder(directory: directory.path, lacking: ResultsFolder.trialsFile)
        }
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        var trialRows: [[String]] = []
        while let cells = reader.next() { trialRows.append(cells) }
        var phases: (header: [String], rows: [[String]]) = ([], [])
        if let text = try? String(contentsOf: directory.appendingPathComponent(ResultsFolder.phasesFile), encoding: .utf8),
            let reader = try? CSVReader(string: text, hasHeaderRow: true)
        {
            phases.header = reader.headerRow ?? []
            while let cells = reader.next() { phases.rows.append(cells) }
        }
        self.init(
            directory: directory, header: (reader.headerRow ?? []).map { ResultsFolder.formerColumnNames[$0] ?? $0 },
            trialRows: trialRows, phases: phases)
    }

    /// The table of a run made in this process, from its records and phase rows in memory: the cells its
    /// files hold, without reading them back.
    public init(run: ExperimentRun) {
        self.init(
            directory: run.directory, header: TrialsTable.header,
            trialRows: run.records.map { TrialsTable.row($0).map { $0 ?? "" } },
            phases: (PhasesTable.header, run.phaseRows.map { PhasesTable.schema.cells($0).map { $0 ?? "" } }))
    }

    /// The `ok` rows of `trialRows` (cells in `header`'s columns), with the phase figures of `phases`.
    init(directory: URL, header: [String], trialRows: [[String]], phases: (header: [String], rows: [[String]])) {
        self.directory = directory
        var header = header
        var rows: [Row] = []
        for cells in trialRows {
            let named = Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })
            guard named["status"] == "ok", let shape = named["shape"], let layout = named["layout"],
                let nodes = named["nodes"].flatMap({ Int($0) }), let allocator = named["allocator"],
                let repetition = named["repetition"].flatMap({ Int($0) })
            else { continue }
            rows.append(Row(
                shape: shape, layout: layout, nodes: nodes, allocator: allocator, repetition: repetition,
                threads: Self.threads(named, shape: shape, layout: layout, nodes: nodes, allocator: allocator, repetition: repetition),
                python: named["python_version"].flatMap { $0.isEmpty ? nil : $0 }, cells: named))
        }
        let phases = Self.phaseColumns(header: phases.header, rows: phases.rows)
        for index in rows.indices {
            if let trialID = rows[index].cells["trial_id"], let cells = phases.cells[trialID] {
                rows[index].cells.merge(cells) { first, _ in first }
            }
        }
        // A trace replay's RSS growth at its peak: what the replay added above its baseline (the worker's tables of the
        // trace are in both), the figure the report's trace table shows, derived here so that compare and the charts
        // can compare it.
        var derived = false
        for index in rows.indices {
            if let peak = rows[index].value("rss_at_peak_bytes"), let baseline = rows[index].value("baseline_rss_bytes"),
                rows[index].layout == "trace"
            {
                rows[index].cells[Self.rssGrowthAtPeak] = String(Int(peak - baseline))
                derived = true
            }
        }
        if derived, !header.contains(Self.rssGrowthAtPeak) { header.append(Self.rssGrowthAtPeak) }
        let trialColumns = header
        header += phases.names.filter { !trialColumns.contains($0) }
        self.header = header
        self.rows = rows
    }

    /// `rss_at_peak_bytes − baseline_rss_bytes` of a trace replay, in bytes (a column of this table, not of trials.csv).
    public static let rssGrowthAtPeak = "rss_growth_at_peak_bytes"

    /// The thread count a row's `trial_id` names: `shape.layout.nodes.allocator.tT.rN` (or `….tT.pyV.rN` with
    /// several interpreters) with T its `threads` cell; nil when the id has no `.tT` part (never split: names may
    /// contain dots).
    static func threads(_ named: [String: String], shape: String, layout: String, nodes: Int, allocator: String, repetition: Int) -> Int? {
        guard let threads = named["threads"].flatMap({ Int($0) }), let id = named["trial_id"] else { return nil }
        let configuration = "\(shape).\(layout).\(nodes).\(allocator).t\(threads)", end = ".r\(repetition)"
        if id == configuration + end { return threads }
        return id.hasPrefix(configuration + ".py") && id.hasSuffix(end) ? threads : nil
    }

    /// Columns of `phases.csv` that are not figures of a phase.
    static let phaseIdentityColumns: Set<String> = [
        "trial_id", "phase_index", "phase", "order", "seed", "applicable", "nodes_processed", "checksum", "note",
    ]

    /// The phase figures of every trial, by trial id, as `<phase>.<column>` cells, from the rows of
    /// `phases.csv` (cells in `header`'s columns); none without it.
    static func phaseColumns(header: [String], rows: [[String]]) -> (names: [String], cells: [String: [String: String]]) {
        let figures = header.filter { !phaseIdentityColumns.contains($0) }
        var names: [String] = []
        var cells: [String: [String: String]] = [:]
        var labelsByTrial: [String: [String: Int]] = [:]
        for row in rows {
            let named = Dictionary(zip(header, row), uniquingKeysWith: { first, _ in first })
            guard let trialID = named["trial_id"], let phase = named["phase"] else { continue }
            // The charts' names: `traverse-rnd`, `free-half`.
            let order = named["order"].flatMap(PhaseSpec.Order.init(rawValue:)) ?? .sequential
            var label = PhaseSpec.Kind(rawValue: phase).map { ChartData.label(PhaseSpec($0, order: order)) } ?? phase
            let seen = labelsByTrial[trialID, default: [:]][label, default: 0] + 1
            labelsByTrial[trialID, default: [:]][label] = seen
            if seen > 1 { label += "#\(seen)" }
            let applicable = !["no", "false"].contains(named["applicable"] ?? "")
            for figure in figures {
                let name = "\(label).\(figure)"
                if !names.contains(name) { names.append(name) }
                if applicable, let value = named[figure], !value.isEmpty { cells[trialID, default: [:]][name] = value }
            }
        }
        return (names, cells)
    }
}
