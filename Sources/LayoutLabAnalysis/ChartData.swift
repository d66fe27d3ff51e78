import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// The small derived tables `plot.gnuplot` draws from (`chart-data/*.csv`): the lab does the statistics and
/// the arithmetic, gnuplot only draws. Each table is for one shape at one node count (its `Focus`).
public enum ChartData {
    /// What one set of charts shows: a shape at a node count, and for an experiment with `"threads"` the
    /// thread count of its trials (nil: the classic one-thread trials).
    public struct Focus: Sendable {
        public var shape: Shape
        public var nodes: Int
        public var threads: Int?

        public init(shape: Shape, nodes: Int, threads: Int? = nil) {
            self.shape = shape
            self.nodes = nodes
            self.threads = threads
        }
    }

    /// The segments of a bytes-per-node bar, bottom to top as drawn; each has `<name>` (its bytes per node) and
    /// `<name>_bottom`, `<name>_top` (where it is drawn) columns in `breakdown.csv`.
    public static let breakdownSegments = [
        "payload", "padding", "headers", "dictionary_storage", "out_of_line", "rounding", "allocator_overhead", "page_overhead",
        "not_attributed", "container", "not_resident",
    ]

    /// Where the bytes of one node go, per layout × allocator (medians over repetitions), as stacked segments:
    /// payload (the fields' bytes), padding, headers and bookkeeping, dictionary storage, other out-of-line storage
    /// (strings, arrays; see `RequestedBytesSplit`: together they are the requested bytes), allocator rounding (usable − requested),
    /// allocator overhead (the allocator's active, else allocated, figure − usable − container), page and RSS
    /// overhead (RSS − the rest), container slot, and what cannot be split (RSS − the known segments) when a
    /// figure is missing. A segment whose inputs are missing is an empty cell, never 0: without the allocator's
    /// figure (or with one below what the nodes use) allocator and page overhead are one unknown sum, and without
    /// the container's bytes (Python layouts) so is the container slot; `not_attributed` holds them, drawn
    /// below the container as "not attributed", so nothing unknown is drawn as page overhead. Python layouts
    /// have no usable size: rounding is empty and counted with the allocator's overhead.
    ///
    /// Where the known segments exceed RSS (page overhead < 0: a large array's size-class rounding that no one
    /// touched), the filled bar stops at RSS: the excess is taken off rounding, then allocator overhead, and
    /// drawn above RSS as `not_resident`, an outline; `label` is the RSS (the chart prints the excess above it).
    ///
    /// The probe's own split is there too, for a chart of the node's object against its out-of-line storage:
    /// `heap_allocations_per_node`, `object_requested_bytes_per_node` and `out_of_line_requested_bytes_per_node`
    /// (medians; empty where not measured).
    package static func breakdown(run: ExperimentRun, focus: Focus) -> CSVTable {
        let segments = breakdownSegments
        var table = CSVTable(header: ["x", "layout", "allocator", "allocator_index", "rss_bytes_per_node"] + segments
            + segments.flatMap { ["\($0)_bottom", "\($0)_top"] } + ["bar_top", "label"] + probeSplitColumns)
        let (shape, nodes) = (focus.shape, focus.nodes)
        let allocators = run.experiment.allocators.count
        let width = 0.8 / Double(allocators)
        let drawn = PerNodeSummary.summaries(of: run.restricted(toThreads: focus.threads)).filter {
            $0.shape.name == shape.name && $0.nodes == nodes && $0.rssBytesPerNode != nil && $0.requestedBytesPerNode != nil
        }
        // Bars sit at the position of their layout among the layouts drawn, 1, 2, 3, ...
        // (A Python layout of an experiment with several interpreters is a group per interpreter: `python-tuple-3.13`.)
        func line(_ summary: PerNodeSummary) -> String {
            ChartLine(layout: summary.layout, pythonLabel: run.experiment.pythonLabel(summary.python)).name
        }
        var positions: [String: Int] = [:]
        for summary in drawn where positions[line(summary)] == nil { positions[line(summary)] = positions.count + 1 }
        for summary in drawn {
            guard let rss = summary.rssBytesPerNode?.median, let requested = summary.requestedBytesPerNode?.median,
                let position = positions[line(summary)]
            else { continue }
            let usable = summary.usableBytesPerNode?.median
            let container = summary.containerBytesPerNode?.median
            let allocatorFigure = summary.allocatorActiveBytesPerNode?.median ?? summary.allocatorAllocatedBytesPerNode?.median
            // A figure below what the nodes use means the allocator does not see them (pymalloc's arenas come
            // straight from mmap, outside glibc's mallinfo2): then its overhead is unknown, not negative.
            let overhead = allocatorFigure.flatMap { figure in
                container.map { figure - (usable ?? requested) - $0 }.flatMap { $0 >= 0 ? $0 : nil }
            }
            let split = RequestedBytesSplit(
                requested: requested, outOfLine: summary.outOfLineRequestedBytesPerNode?.median, layout: summary.layout, shape: shape)
            let rounding = usable.map { $0 - requested }
            let known: [Double?] = [
                split.payload, split.padding, split.headers, split.dictionaryStorage, split.outOfLineStorage, rounding, overhead,
            ]
            let page = overhead.flatMap { overhead in container.map { rss - (usable ?? requested) - overhead - $0 } }
            let notAttributed = page == nil ? rss - known.compactMap { $0 }.reduce(0, +) - (container ?? 0) : nil
            // Less than 0.05 B/node under RSS is rounding of medians, not untouched memory.
            let notResident = page.flatMap { $0 < -0.05 ? -$0 : nil }
            let values: [String: Double?] = [
                "payload": split.payload, "padding": split.padding, "headers": split.headers,
                "dictionary_storage": split.dictionaryStorage, "out_of_line": split.outOfLineStorage, "rounding": rounding, "allocator_overhead": overhead,
                "page_overhead": page, "not_attributed": notAttributed, "container": container, "not_resident": notResident,
            ]
            // Drawn heights: never negative, and the untouched excess comes off rounding, then allocator overhead.
            var heights = values.mapValues { $0.map { max(0, $0) } }
            var excess = notResident ?? 0
            for name in ["rounding", "allocator_overhead"] where excess > 0 {
                guard let height = heights[name] ?? nil else { continue }
                let taken = min(height, excess)
                heights[name] = height - taken
                excess -= taken
            }
            var bounds: [String: (bottom: Double, top: Double)] = [:]
            var base = 0.0
            for name in segments {
                guard let height = heights[name] ?? nil else { continue }
                bounds[name] = (base, base + height)
                base += height
            }
            let x = Double(position) + (Double(summary.allocatorIndex) - (Double(allocators) + 1) / 2) * width
            table.append([
                CSVNumber.cell(x), line(summary), summary.allocator, String(summary.allocatorIndex),
                CSVNumber.cell(rss),
            ] + segments.map { CSVNumber.cell(values[$0] ?? nil) }
                + segments.flatMap { [CSVNumber.cell(bounds[$0]?.bottom), CSVNumber.cell(bounds[$0]?.top)] }
                + [CSVNumber.cell(base), Rounded.text(rss), CSVNumber.cell(summary.heapAllocationsPerNode?.median),
                   CSVNumber.cell(split.object), CSVNumber.cell(split.outOfLine)])
        }
        return table
    }

    /// The probe's split in `breakdown.csv`, after the bars' columns.
    public static let probeSplitColumns = [
        "heap_allocations_per_node", "object_requested_bytes_per_node", "out_of_line_requested_bytes_per_node",
    ]

    /// ns per node of each phase by layout and allocator (median, min, max over repetitions), with bar
    /// positions: x = phase index + an offset per layout.
    package static func phaseTimes(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "phase_index", "phase_label", "layout", "layout_index", "x", "ns_median", "ns_min", "ns_max"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        guard run.experiment.phases.count > 1 else { return table }
        let layouts = ChartLine.lines(of: run.experiment)
        let width = 0.8 / Double(layouts.count)
        let trials = TrialIDIndex(experiment: run.experiment)
        for allocator in run.experiment.allocators {
            for (phaseIndex, phase) in run.experiment.phases.enumerated() {
                for (layoutIndex, layout) in layouts.enumerated() {
                    let configuration = layout.configuration(shape: shape.name, nodes: nodes, allocator: allocator.name, threads: focus.threads)
                    let values = run.phaseRows.filter { trials[$0.trialID]?.configuration == configuration && $0.phaseIndex == phaseIndex }
                        .compactMap(\.nsPerNode)
                    guard let median = PerNodeSummary.median(values) else { continue }
                    let x = Double(phaseIndex) + (Double(layoutIndex + 1) - (Double(layouts.count) + 1) / 2) * width
                    table.append([
                        allocator.name, String(phaseIndex), label(phase), layout.name, String(layoutIndex + 1), CSVNumber.cell(x),
                        CSVNumber.cell(median), CSVNumber.cell(values.min()), CSVNumber.cell(values.max()),
                    ])
                }
            }
        }
        return table
    }

    /// The experiment's phases in order with their axis labels (a phase may appear twice).
    package static func phaseLabels(run: ExperimentRun) -> CSVTable {
        var table = CSVTable(header: ["phase_index", "phase_label"])
        for (index, phase) in run.experiment.phases.enumerated() { table.append([String(index), label(phase)]) }
        return table
    }

    /// RSS over the whole trial (repetition 1), x = phase index + progress through the phase, so that phase
    /// boundaries fall on integers for every layout.
    package static func timeline(samples: [SampleRow], run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["allocator", "layout", "x", "rss_mib"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        guard run.experiment.phases.count > 1 else { return table }
        for allocator in run.experiment.allocators {
            for line in ChartLine.lines(of: run.experiment) {
                let id = TrialID(line.configuration(shape: shape.name, nodes: nodes, allocator: allocator.name, threads: focus.threads), repetition: 1).description
                let rows = samples.filter { $0.trialID == id }
                for phaseIndex in run.experiment.phases.indices {
                    let phaseRows = rows.filter { $0.phaseIndex == phaseIndex }
                    for (position, row) in phaseRows.enumerated() {
                        let progress = phaseRows.count > 1 ? Double(position) / Double(phaseRows.count - 1) : 0
                        table.append([
                            allocator.name, line.name, CSVNumber.cell(Double(phaseIndex) + 0.98 * progress),
                            CSVNumber.cell(row.sample.rssBytes.map { Double($0) / 1_048_576 }),
                        ])
                    }
                }
            }
        }
        return table
    }

    /// The ratios of `comparison.csv` for one metric as bars: x, a label, ratio and its interval (empty where
    /// there is none).
    package static func comparison(_ comparisons: [Comparison], metric: String, focus: Focus) -> CSVTable {
        var table = CSVTable(header: ["x", "label", "ratio", "ci_low", "ci_high", "side_a", "side_b"])
        let (shape, nodes) = (focus.shape, focus.nodes)
        let selected = comparisons.filter { $0.metric == metric && $0.shape == shape.name && $0.nodes == nodes && $0.threads == focus.threads }
        for (index, comparison) in selected.enumerated() {
            guard let ratio = comparison.ratio else { continue }
            let interval = comparison.interval
            table.append([
                String(index + 1), "\(comparison.layoutName) \(comparison.sideB)", CSVNumber.cell(ratio),
                // No interval (fewer than two repetitions on a side) is empty cells: no whisker, never a zero-width one.
                CSVNumber.cell(interval?.low), CSVNumber.cell(interval?.high), comparison.sideA, comparison.sideB,
            ])
        }
        return table
    }

    /// `traverse-rnd`, `churn`, `fork-traverse`, ...: short phase names for axes (no spaces: gnuplot splits words on them).
    package static func label(_ phase: PhaseSpec) -> String {
        switch phase.kind {
        case .traverse, .mutate: "\(phase.kind.rawValue)-\(phase.order == .random ? "rnd" : "seq")"
        case .fork: "fork-\(phase.work.rawValue)" + (phase.order == .random && phase.work != .none ? "-rnd" : "")
        default: phase.kind.rawValue
        }
    }

    /// What the charts show: every shape of the experiment, each at the largest node count (and with
    /// `"threads"` at the smallest thread count: the scaling charts show the others).
    public static func foci(_ experiment: Experiment) -> [Focus] {
        guard let nodes = experiment.nodes.max() else { return [] }
        return experiment.shapes.map { Focus(shape: $0, nodes: nodes, threads: experiment.chartThreads) }
    }
}
