import LayoutLabModel
import LayoutLabTables

/// The summary of a run's later phases, for the terminal and for `report.md`: for each shape, node count and
/// allocator, layouts × phases with the median over repetitions of ns per node, then the fragmentation ratio
/// after the first free-half and the RSS still held after free-all and after purge (MiB above the trial's
/// baseline); with `"threads"`, one table per thread count too. Phases are named as the charts name them
/// (`traverse-rnd`, `mutate-seq`). Under the header a row gives every column its unit.
public enum PhaseSummaryTable {
    /// One table: its title, the header row, the units row, then one row per layout.
    public struct Group: Sendable {
        public var title: String
        public var header: [String]
        public var units: [String]
        public var rows: [[String]]
    }

    /// What the columns mean, printed under the tables.
    public static let legend = """
        – : the phase cannot apply to the layout (see phases.csv, note). frag: RSS per live node ÷ RSS per node \
        after allocate (1: nothing is held for freed nodes). kept: RSS above the trial's baseline.
        """

    public static func render(_ run: ExperimentRun) -> String {
        let groups = groups(run)
        guard !groups.isEmpty else { return "" }
        var text = ""
        for group in groups {
            text += "\n\(group.title)\n" + TextTable.aligned([group.header, group.units] + group.rows)
        }
        return text + "\n" + legend + "\n"
    }

    /// The same tables in Markdown, the unit beside each column's name.
    public static func markdown(_ run: ExperimentRun) -> String {
        var text = ""
        for group in groups(run) {
            let header = zip(group.header, group.units).map { $1.isEmpty ? $0 : "\($0) (\($1))" }
            text += "\n**\(group.title)**\n\n| " + header.joined(separator: " | ") + " |\n|"
            text += String(repeating: "---|", count: header.count) + "\n"
            for row in group.rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        }
        return text
    }

    public static func groups(_ run: ExperimentRun) -> [Group] {
        let experiment = run.experiment
        guard experiment.phases.count > 1 else { return [] }
        let labels = experiment.phases.map(ChartData.label)
        let freeHalf = experiment.phases.firstIndex { $0.kind == .freeHalf }
        let freeAll = experiment.phases.firstIndex { $0.kind == .freeAll }
        let purge = experiment.phases.lastIndex { $0.kind == .purge }
        let trials = TrialIDIndex(experiment: experiment)
        var groups: [Group] = []
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for threads in experiment.threadCounts {
                    for allocator in experiment.allocators {
                        let title = "\(experiment.name) · \(shape.name) · \(nodes) nodes\(Experiment.threadsLabel(threads)) · \(allocator.name) · ns/node by phase (median)"
                        var header = ["layout"] + labels
                        // A fork phase's time is its children's work (the parent only forks and waits).
                        var units = [""] + experiment.phases.map { $0.kind == .fork ? "child ns/node" : "ns/node" }
                        if freeHalf != nil { header.append("frag after free-half"); units.append("ratio") }
                        if freeAll != nil { header.append("kept after free-all"); units.append("MiB") }
                        if purge != nil { header.append("kept after purge"); units.append("MiB") }
                        var rows: [[String]] = []
                        for line in ChartLine.lines(of: experiment) {
                            let configuration = line.configuration(shape: shape.name, nodes: nodes, allocator: allocator.name, threads: threads)
                            let mine = run.phaseRows.filter { trials[$0.trialID]?.configuration == configuration }
                            func median(_ index: Int, _ figure: KeyPath<PhaseRow, Double?>) -> Double? {
                                PerNodeSummary.median(mine.filter { $0.phaseIndex == index }.compactMap { $0[keyPath: figure] })
                            }
                            func keptMiB(_ index: Int) -> Double? {
                                let kept = mine.filter { $0.phaseIndex == index }.compactMap { row -> Double? in
                                    guard let end = row.rssBytesEnd,
                                        let start = mine.first(where: { $0.trialID == row.trialID && $0.phaseIndex == 0 })?.rssBytesStart
                                    else { return nil }
                                    return Double(end - start) / 1_048_576
                                }
                                return PerNodeSummary.median(kept)
                            }
                            var row = [line.name] + experiment.phases.indices.map { index in
                                PerNodeTable.format(median(index, experiment.phases[index].kind == .fork ? \.childNsPerNode : \.nsPerNode))
                            }
                            if let freeHalf { row.append(Rounded.text(median(freeHalf, \.fragmentationRatio), digits: 2)) }
                            if let freeAll { row.append(PerNodeTable.format(keptMiB(freeAll))) }
                            if let purge { row.append(PerNodeTable.format(keptMiB(purge))) }
                            rows.append(row)
                        }
                        groups.append(Group(title: title, header: header, units: units, rows: rows))
                    }
                }
            }
        }
        return groups
    }
}
