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
    /// 1 payload (the fields' bytes), 2 headers and bookkeeping (requested − payload), 3 allocator rounding
    /// (usable − requested), 4 allocator overhead (the allocator's active, else allocated, figure − usable −
    /// container), 5 page and RSS overhead (RSS − the rest), 6 container slot, and 7 what cannot be split
    /// (RSS − the known segments) when a figure is missing. A segment whose inputs are missing is an empty
    /// cell, never 0: without the allocator's figure (or with one below what the nodes use) segments 4 and 5
    /// are one unknown sum, and without the container's bytes (Python layouts) so is the container slot;
    /// segment 7 holds them, drawn between 3 and 6 as "not attributed", so nothing unknown is drawn as page
    /// overhead. Python layouts have no usable size: rounding is empty and counted with the allocator's overhead.
    public static func breakdown(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: [
            "x", "layout", "allocator", "allocator_index", "rss_bytes_per_node", "payload", "headers", "rounding",
            "allocator_overhead", "page_overhead", "container", "not_attributed", "bottom1", "top1", "bottom2", "top2",
            "bottom3", "top3", "bottom4", "top4", "bottom5", "top5", "bottom6", "top6", "bottom7", "top7", "bar_top",
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
            let usable = summary.usableBytesPerNode?.median
            let container = summary.containerBytesPerNode?.median
            let allocatorFigure = summary.allocatorActiveBytesPerNode?.median ?? summary.allocatorAllocatedBytesPerNode?.median
            // A figure below what the nodes use means the allocator does not see them (pymalloc's arenas come
            // straight from mmap, outside glibc's mallinfo2): then its overhead is unknown, not negative.
            let overhead = allocatorFigure.flatMap { figure in
                container.map { figure - (usable ?? requested) - $0 }.flatMap { $0 >= 0 ? $0 : nil }
            }
            let known: [Double?] = [payload, requested - payload, usable.map { $0 - requested }, overhead]
            let page = overhead.flatMap { overhead in container.map { rss - (usable ?? requested) - overhead - $0 } }
            let notAttributed = page == nil ? rss - known.compactMap { $0 }.reduce(0, +) - (container ?? 0) : nil
            // Stacking order: 1 2 3 4 5, then 7 (where 4 and 5 would be), then 6 on top.
            let segments: [Double?] = known + [page, container, notAttributed]
            var bounds = [(bottom: Double?, top: Double?)](repeating: (nil, nil), count: segments.count)
            var base = 0.0
            for index in [0, 1, 2, 3, 4, 6, 5] {
                guard let segment = segments[index] else { continue }
                let height = max(0, segment)
                bounds[index] = (base, base + height)
                base += height
            }
            let x = Double(position) + (Double(summary.allocatorIndex) - (Double(allocators) + 1) / 2) * width
            table.append([
                CSVNumber.cell(x), summary.layout.rawValue, summary.allocator, String(summary.allocatorIndex),
                CSVNumber.cell(rss),
            ] + segments.map { CSVNumber.cell($0) } + bounds.flatMap { [CSVNumber.cell($0.bottom), CSVNumber.cell($0.top)] }
                + [CSVNumber.cell(base)])
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

    /// The ratios of `comparison.csv` for one metric as bars: x, a label, ratio and its interval (empty where
    /// there is none).
    public static func comparison(_ comparisons: [Comparison], metric: String, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["x", "label", "ratio", "ci_low", "ci_high", "side_a", "side_b"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        let selected = comparisons.filter { $0.metric == metric && $0.shape == shape.name && $0.nodes == nodes }
        for (index, comparison) in selected.enumerated() {
            guard let ratio = comparison.ratio else { continue }
            let interval = comparison.interval
            table.append([
                String(index + 1), "\(comparison.layout) \(comparison.sideB)", CSVNumber.cell(ratio),
                // No interval (fewer than two repetitions on a side) is empty cells: no whisker, never a zero-width one.
                CSVNumber.cell(interval?.low), CSVNumber.cell(interval?.high), comparison.sideA, comparison.sideB,
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
