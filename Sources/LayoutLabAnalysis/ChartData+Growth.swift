import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// `growth.csv`: RSS while nodes are allocated, and which layouts are small enough to need a scale of their own.
extension ChartData {
    /// A layout whose RSS grows by at most this fraction of the largest growth under the same allocator gets
    /// the growth chart's second panel, with its own y scale: on the shared axis it would be a line along the
    /// bottom (a 2-field `struct-array` grows by about 5 % of what `dict-class` grows).
    package static let growthZoomFraction = 0.25

    /// RSS and the allocator's own active (else allocated) bytes against nodes alive during allocate,
    /// repetition 1 of each layout × allocator, in MiB and millions of nodes. `zoom` is `true` for the layouts
    /// whose RSS growth (last − first sample of the phase) is at most `growthZoomFraction` of the allocator's
    /// largest; `rss_growth_mib` and `allocator_growth_mib` are the same figures minus the trial's first sample
    /// of each (what the zoomed panel draws, so that a baseline of several MiB does not flatten a small layout's
    /// line). A missing figure is an empty cell (a gap in the line, never a 0).
    package static func growth(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: [
            "allocator", "layout", "nodes_alive_millions", "rss_mib", "allocator_mib", "allocator_figure", "zoom",
            "rss_growth_mib", "allocator_growth_mib",
        ])
        let (shape, nodes) = (focus.shape, focus.nodes)
        var wanted: [String: (allocator: String, layout: LayoutKind)] = [:]
        for allocator in run.experiment.allocators {
            for layout in run.experiment.layouts {
                let id = TrialID(.init(shape: shape.name, layout: layout, nodes: nodes, allocator: allocator.name), repetition: 1)
                wanted[id.description] = (allocator.name, layout)
            }
        }
        var rowsByTrial: [String: [MemorySample]] = [:]
        for row in samples where row.phaseIndex == 0 && wanted[row.trialID] != nil { rowsByTrial[row.trialID, default: []].append(row.sample) }
        for allocator in run.experiment.allocators {
            let trials = run.experiment.layouts.map { layout in
                let id = TrialID(.init(shape: shape.name, layout: layout, nodes: nodes, allocator: allocator.name), repetition: 1)
                return (layout: layout, rows: rowsByTrial[id.description] ?? [])
            }
            let growths = trials.map { rssGrowthBytes($0.rows) }
            let largest = growths.compactMap { $0 }.max()
            for (trial, growth) in zip(trials, growths) {
                let zoom = growth.flatMap { growth in largest.map { $0 > 0 && trials.count > 1 && growth <= growthZoomFraction * $0 } } ?? false
                let active = trial.rows.contains { $0.allocator.activeBytes != nil }
                func allocatorBytes(_ sample: MemorySample) -> Int? { active ? sample.allocator.activeBytes : sample.allocator.allocatedBytes }
                let firstRSS = trial.rows.lazy.compactMap(\.rssBytes).first
                let firstAllocator = trial.rows.lazy.compactMap(allocatorBytes).first
                func mebibytes(_ value: Int?, minus start: Int? = 0) -> String? {
                    CSVNumber.cell(value.flatMap { value in start.map { Double(value - $0) / 1_048_576 } })
                }
                for sample in trial.rows {
                    table.append([
                        allocator.name, trial.layout.rawValue, CSVNumber.cell(Double(sample.nodesAlive) / 1e6),
                        mebibytes(sample.rssBytes), mebibytes(allocatorBytes(sample)), active ? "active" : "allocated",
                        zoom ? "true" : "false", mebibytes(sample.rssBytes, minus: firstRSS),
                        mebibytes(allocatorBytes(sample), minus: firstAllocator),
                    ])
                }
            }
        }
        return table
    }

    /// RSS at the last sample with one − RSS at the first sample with one, in bytes; nil with fewer than two.
    static func rssGrowthBytes(_ samples: [MemorySample]) -> Double? {
        let rss = samples.compactMap(\.rssBytes)
        guard rss.count > 1, let first = rss.first, let last = rss.last else { return nil }
        return Double(last - first)
    }
}
