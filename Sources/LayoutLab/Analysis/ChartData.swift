import LayoutLabSampling

/// The small derived tables `plot.gnuplot` draws from (`chart-data/*.csv`): the lab does the statistics and
/// the arithmetic, gnuplot only draws. Each table is for one shape at one node count (its `Focus`).
public enum ChartData {
    /// What one set of charts shows: a shape at a node count.
    public struct Focus: Sendable {
        public var shape: Shape
        public var nodes: Int

        public init(shape: Shape, nodes: Int) {
            self.shape = shape
            self.nodes = nodes
        }
    }

    /// RSS and the allocator's own active (else allocated) bytes against nodes alive during allocate,
    /// repetition 1 of each layout × allocator, in MiB and millions of nodes.
    public static func growth(samples: [[String: String]], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "layout", "nodes_alive_millions", "rss_mib", "allocator_mib", "allocator_figure"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        for allocator in run.experiment.allocators {
            for layout in run.experiment.layouts {
                let id = "\(shape.name).\(layout.rawValue).\(nodes).\(allocator.name).r1"
                let rows = samples.filter { $0["trial_id"] == id && $0["phase_index"] == "0" }
                let figure = rows.contains { !($0["allocator_active_bytes"] ?? "").isEmpty } ? "active" : "allocated"
                for row in rows {
                    table.append([
                        allocator.name, layout.rawValue, CSVNumber.cell(Double(row["nodes_alive"] ?? "").map { $0 / 1e6 }),
                        CSVNumber.cell(Double(row["rss_bytes"] ?? "").map { $0 / 1_048_576 }),
                        CSVNumber.cell(Double(row["allocator_\(figure)_bytes"] ?? "").map { $0 / 1_048_576 }), figure,
                    ])
                }
            }
        }
        return table
    }

    /// Where the bytes of one node go, per layout × allocator (medians over repetitions), as stacked segments:
    /// payload (the fields' bytes), headers and bookkeeping (requested − payload), allocator rounding
    /// (usable − requested), allocator overhead (the allocator's active, else allocated, figure − usable −
    /// container; empty where it reports neither), page and RSS overhead (RSS − the rest), container slot.
    public static func breakdown(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: [
            "x", "layout", "allocator", "allocator_index", "rss_bytes_per_node", "payload", "headers", "rounding",
            "allocator_overhead", "page_overhead", "container", "bottom1", "top1", "bottom2", "top2", "bottom3", "top3",
            "bottom4", "top4", "bottom5", "top5", "bottom6", "top6",
        ])
        let (shape, nodes) = (focus.shape, focus.nodes)
        let allocators = run.experiment.allocators.count
        let width = 0.8 / Double(allocators)
        let payload = Double(PayloadLayout.columnBytes(of: shape.fields.map(\.type)))
        let drawn = PerNodeSummary.summaries(of: run).filter {
            $0.shape.name == shape.name && $0.nodes == nodes && $0.rssBytesPerNode != nil && $0.requestedBytesPerNode != nil
        }
        // Bars sit at the position of their layout among the layouts drawn, 1, 2, 3, ...
        var positions: [LayoutKind: Int] = [:]
        for summary in drawn where positions[summary.layout] == nil { positions[summary.layout] = positions.count + 1 }
        for summary in drawn {
            guard let rss = summary.rssBytesPerNode?.median, let requested = summary.requestedBytesPerNode?.median,
                let position = positions[summary.layout]
            else { continue }
            // Python layouts have no usable size: their rounding is counted with the allocator's overhead.
            let usable = summary.usableBytesPerNode?.median ?? requested
            let container = summary.containerBytesPerNode?.median ?? 0
            let allocatorFigure = summary.allocatorActiveBytesPerNode?.median ?? summary.allocatorAllocatedBytesPerNode?.median
            // A figure below what the nodes use means the allocator does not see them (pymalloc's arenas come
            // straight from mmap, outside glibc's mallinfo2): then its overhead is unknown, not negative.
            let overhead = allocatorFigure.map { $0 - usable - container }.flatMap { $0 >= 0 ? $0 : nil }
            let page = rss - (overhead.map { $0 + usable + container } ?? (usable + container))
            let segments = [payload, requested - payload, usable - requested, overhead ?? 0, page, container]
            var cells: [String?] = []
            var base = 0.0
            for segment in segments {
                let drawn = max(0, segment)
                cells += [CSVNumber.cell(base), CSVNumber.cell(base + drawn)]
                base += drawn
            }
            let x = Double(position) + (Double(summary.allocatorIndex) - (Double(allocators) + 1) / 2) * width
            table.append([
                CSVNumber.cell(x), summary.layout.rawValue, summary.allocator, String(summary.allocatorIndex),
                CSVNumber.cell(rss), CSVNumber.cell(segments[0]), CSVNumber.cell(segments[1]), CSVNumber.cell(segments[2]),
                CSVNumber.cell(overhead), CSVNumber.cell(page), CSVNumber.cell(container),
            ] + cells)
        }
        return table
    }

    /// ns per node of each phase by layout and allocator (median, min, max over repetitions), with bar
    /// positions: x = phase index + an offset per layout.
    public static func phaseTimes(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "phase_index", "phase_label", "layout", "layout_index", "x", "ns_median", "ns_min", "ns_max"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        guard run.experiment.phases.count > 1 else { return table }
        let layouts = run.experiment.layouts
        let width = 0.8 / Double(layouts.count)
        for allocator in run.experiment.allocators {
            for (phaseIndex, phase) in run.experiment.phases.enumerated() {
                for (layoutIndex, layout) in layouts.enumerated() {
                    let prefix = "\(shape.name).\(layout.rawValue).\(nodes).\(allocator.name).r"
                    let values = run.phaseRows.filter { ($0["trial_id"] ?? "").hasPrefix(prefix) && $0["phase_index"] == String(phaseIndex) }
                        .compactMap { Double($0["ns_per_node"] ?? "") }
                    guard let median = PerNodeSummary.median(values) else { continue }
                    let x = Double(phaseIndex) + (Double(layoutIndex + 1) - (Double(layouts.count) + 1) / 2) * width
                    table.append([
                        allocator.name, String(phaseIndex), label(phase), layout.rawValue, String(layoutIndex + 1), CSVNumber.cell(x),
                        CSVNumber.cell(median), CSVNumber.cell(values.min()), CSVNumber.cell(values.max()),
                    ])
                }
            }
        }
        return table
    }

    /// The experiment's phases in order with their axis labels (a phase may appear twice).
    public static func phaseLabels(run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["phase_index", "phase_label"])
        for (index, phase) in run.experiment.phases.enumerated() { table.append([String(index), label(phase)]) }
        return table
    }

    /// RSS over the whole trial (repetition 1), x = phase index + progress through the phase, so that phase
    /// boundaries fall on integers for every layout.
    public static func timeline(samples: [[String: String]], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "layout", "x", "rss_mib"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        guard run.experiment.phases.count > 1 else { return table }
        for allocator in run.experiment.allocators {
            for layout in run.experiment.layouts {
                let id = "\(shape.name).\(layout.rawValue).\(nodes).\(allocator.name).r1"
                let rows = samples.filter { $0["trial_id"] == id }
                for phaseIndex in run.experiment.phases.indices {
                    let phaseRows = rows.filter { $0["phase_index"] == String(phaseIndex) }
                    for (position, row) in phaseRows.enumerated() {
                        let progress = phaseRows.count > 1 ? Double(position) / Double(phaseRows.count - 1) : 0
                        table.append([
                            allocator.name, layout.rawValue, CSVNumber.cell(Double(phaseIndex) + 0.98 * progress),
                            CSVNumber.cell(Double(row["rss_bytes"] ?? "").map { $0 / 1_048_576 }),
                        ])
                    }
                }
            }
        }
        return table
    }

    /// The ratios of `comparison.csv` for one metric as bars: x, a label, ratio and its interval.
    public static func comparison(_ comparisons: [Comparison], metric: String, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["x", "label", "ratio", "ci_low", "ci_high", "side_a", "side_b"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        let selected = comparisons.filter { $0.metric == metric && $0.shape == shape.name && $0.nodes == nodes }
        for (index, comparison) in selected.enumerated() {
            guard let ratio = comparison.ratio else { continue }
            let interval = comparison.interval
            table.append([
                String(index + 1), "\(comparison.layout) \(comparison.sideB)", CSVNumber.cell(ratio),
                CSVNumber.cell(interval?.low ?? ratio), CSVNumber.cell(interval?.high ?? ratio), comparison.sideA, comparison.sideB,
            ])
        }
        return table
    }

    /// `traverse-rnd`, `churn`, ...: short phase names for axes (no spaces: gnuplot splits words on them).
    public static func label(_ phase: PhaseSpec) -> String {
        phase.kind == .traverse || phase.kind == .mutate ? "\(phase.kind.rawValue)-\(phase.order == .random ? "rnd" : "seq")" : phase.kind.rawValue
    }

    /// What the charts show: every shape of the experiment, each at the largest node count.
    public static func foci(_ experiment: Experiment) -> [Focus] {
        guard let nodes = experiment.nodes.max() else { return [] }
        return experiment.shapes.map { Focus(shape: $0, nodes: nodes) }
    }
}
