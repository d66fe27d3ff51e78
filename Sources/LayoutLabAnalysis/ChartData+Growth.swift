import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// `growth.csv`: RSS while nodes are allocated, and which layouts are small enough to need a scale of their own.
extension ChartData {
    /// A layout whose RSS grows by at most this fraction of the largest growth in its panel opens the next
    /// panel of the growth chart, with its own y scale: on the shared axis it would be a line along the
    /// bottom (a 2-field `struct-array` grows by about 5 % of what `dict-class` grows, a `final-class` by 18 %).
    package static let growthZoomFraction = 0.25

    /// Panels of the growth chart at most: the one with every layout, and two of smaller layouts.
    package static let growthPanels = 3

    /// RSS and the allocator's own active (else allocated) bytes against nodes alive during allocate,
    /// repetition 1 of each layout × allocator, in MiB and millions of nodes. Every layout is drawn in panel 1;
    /// `panel` 2 or 3 says it is drawn again there, with layouts of its size (`growthPanels(_:)`);
    /// `rss_growth_mib` and `allocator_growth_mib` are the same figures minus the trial's first sample
    /// of each (what the zoomed panel draws, so that a baseline of several MiB does not flatten a small layout's
    /// line). A missing figure is an empty cell (a gap in the line, never a 0).
    package static func growth(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: [
            "allocator", "layout", "nodes_alive_millions", "rss_mib", "allocator_mib", "allocator_figure", "panel",
            "rss_growth_mib", "allocator_growth_mib",
        ])
        let (shape, nodes) = (focus.shape, focus.nodes)
        let lines = ChartLine.lines(of: run.experiment)
        var wanted: Set<String> = []
        for allocator in run.experiment.allocators {
            for line in lines {
                wanted.insert(TrialID(line.configuration(shape: shape.name, nodes: nodes, allocator: allocator.name, threads: focus.threads), repetition: 1).description)
            }
        }
        var rowsByTrial: [String: [MemorySample]] = [:]
        for row in samples where row.phaseIndex == 0 && wanted.contains(row.trialID) { rowsByTrial[row.trialID, default: []].append(row.sample) }
        for allocator in run.experiment.allocators {
            let trials = lines.map { line in
                let id = TrialID(line.configuration(shape: shape.name, nodes: nodes, allocator: allocator.name, threads: focus.threads), repetition: 1)
                return (line: line, rows: rowsByTrial[id.description] ?? [])
            }
            let growths = trials.map { rssGrowthBytes($0.rows) }
            let panels = growthPanels(growths)
            for (trial, panel) in zip(trials, panels) {
                let active = trial.rows.contains { $0.allocator.activeBytes != nil }
                func allocatorBytes(_ sample: MemorySample) -> Int? { active ? sample.allocator.activeBytes : sample.allocator.allocatedBytes }
                let firstRSS = trial.rows.lazy.compactMap(\.rssBytes).first
                let firstAllocator = trial.rows.lazy.compactMap(allocatorBytes).first
                func mebibytes(_ value: Int?, minus start: Int? = 0) -> String? {
                    CSVNumber.cell(value.flatMap { value in start.map { Double(value - $0) / 1_048_576 } })
                }
                for sample in trial.rows {
                    table.append([
                        allocator.name, trial.line.name, CSVNumber.cell(Double(sample.nodesAlive) / 1e6),
                        mebibytes(sample.rssBytes), mebibytes(allocatorBytes(sample)), active ? "active" : "allocated",
                        String(panel), mebibytes(sample.rssBytes, minus: firstRSS),
                        mebibytes(allocatorBytes(sample), minus: firstAllocator),
                    ])
                }
            }
        }
        return table
    }

    /// The panel of each layout from its RSS growth (bytes; nil: unknown, panel 1): largest first, a layout
    /// whose growth is at most `growthZoomFraction` of the largest in the current panel opens the next one, up
    /// to `growthPanels`; a layout that shares panel 1 is 1.
    static func growthPanels(_ growths: [Double?]) -> [Int] {
        var panels = Array(repeating: 1, count: growths.count)
        let order = growths.indices.filter { growths[$0] != nil }.sorted { (growths[$0] ?? 0) > (growths[$1] ?? 0) }
        var panel = 1
        var panelLargest = order.first.flatMap { growths[$0] } ?? 0
        for index in order {
            guard let growth = growths[index] else { continue }
            if panelLargest > 0, growth <= growthZoomFraction * panelLargest, panel < growthPanels {
                panel += 1
                panelLargest = growth
            }
            panels[index] = panel
        }
        return panels
    }

    /// RSS at the last sample with one − RSS at the first sample with one, in bytes; nil with fewer than two.
    static func rssGrowthBytes(_ samples: [MemorySample]) -> Double? {
        let rss = samples.compactMap(\.rssBytes)
        guard rss.count > 1, let first = rss.first, let last = rss.last else { return nil }
        return Double(last - first)
    }
}
