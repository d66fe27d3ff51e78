import LayoutLabModel
import LayoutLabTables

/// The size-class staircase of a sweep: usable and RSS bytes per node against the bytes per node requested.
extension ChartData {
    /// One staircase chart: a sweep family under one layout at the experiment's largest node count, a line per
    /// allocator; `table` is its `chart-data/<stem>.csv`, `title` what it shows and how it was measured.
    package struct Staircase: Sendable {
        package var family: String
        package var layout: LayoutKind
        package var nodes: Int
        /// `staircase-<family>-<layout>`: the data file's and the chart's name.
        package var stem: String { "staircase-\(family)-\(layout.rawValue)" }
        /// Whether the requested sizes span a factor of `logXFactor` or more, so that x is drawn on a log scale.
        package var logX: Bool
        package var title: String
        package var table: CSVTable
    }

    /// The largest ÷ smallest requested bytes from which the staircase's x axis is logarithmic (8 … 4 096: 512).
    package static let logXFactor = 8.0

    /// The columns of a staircase table: one row per allocator × sweep member, medians over the member's
    /// successful repetitions; a figure no repetition measured is an empty cell.
    package static let staircaseHeader = [
        "allocator", "allocator_index", "shape", "sweep_length", "repetitions_ok", "requested_bytes_per_node",
        "usable_bytes_per_node", "rss_without_container_bytes_per_node", "usable_minus_requested_bytes_per_node",
        "rss_minus_requested_bytes_per_node",
    ]

    /// One staircase per sweep family × layout of the experiment, families in the order their first member
    /// appears, members by length, at the largest node count. None when no shape is a sweep member.
    package static func staircases(run: ExperimentRun) -> [Staircase] {
        let experiment = run.experiment
        guard let nodes = experiment.nodes.max() else { return [] }
        var families: [String] = []
        var members: [String: [Shape]] = [:]
        for shape in experiment.shapes {
            guard let sweep = shape.sweep else { continue }
            if members[sweep.family] == nil { families.append(sweep.family) }
            members[sweep.family, default: []].append(shape)
        }
        guard !families.isEmpty else { return [] }
        var metrics: [String: [TrialMetrics]] = [:]
        for record in run.records where record.status == .ok && record.trial.nodes == nodes {
            metrics[record.trial.configuration, default: []].append(record.metrics)
        }
        var charts: [Staircase] = []
        for family in families {
            let shapes = (members[family] ?? []).sorted { ($0.sweep?.length ?? 0) < ($1.sweep?.length ?? 0) }
            for layout in experiment.layouts {
                var table = CSVTable(header: staircaseHeader)
                var requestedSizes: [Double] = []
                var repetitions: [Int] = []
                for (allocatorIndex, allocator) in experiment.allocators.enumerated() {
                    for shape in shapes {
                        let configuration = TrialID.Configuration(
                            shape: shape.name, layout: layout, nodes: nodes, allocator: allocator.name, threads: experiment.chartThreads)
                        let measured = metrics[configuration.description] ?? []
                        guard !measured.isEmpty else { continue }
                        let requested = PerNodeSummary.median(measured.compactMap(\.requestedBytesPerNode))
                        let usable = PerNodeSummary.median(measured.compactMap(\.usableBytesPerNode))
                        // RSS without the container's reference per node, so that RSS − requested is what rounding,
                        // the allocator and the pages cost (the reference array is not the node's).
                        let rss = PerNodeSummary.median(measured.compactMap { metrics in
                            metrics.rssBytesPerNode.map { $0 - (metrics.containerBytesPerNode ?? 0) }
                        })
                        if let requested { requestedSizes.append(requested) }
                        repetitions.append(measured.count)
                        table.append([
                            allocator.name, String(allocatorIndex + 1), shape.name, shape.sweep.map { String($0.length) },
                            String(measured.count), CSVNumber.cell(requested), CSVNumber.cell(usable), CSVNumber.cell(rss),
                            CSVNumber.cell(usable.flatMap { usable in requested.map { usable - $0 } }),
                            CSVNumber.cell(rss.flatMap { rss in requested.map { rss - $0 } }),
                        ])
                    }
                }
                // Nothing to draw without a request to put on x (gnuplot would find no valid point).
                guard !requestedSizes.isEmpty else { continue }
                let logX = requestedSizes.min().flatMap { smallest in
                    requestedSizes.max().map { smallest > 0 && $0 / smallest >= logXFactor }
                } ?? false
                charts.append(Staircase(
                    family: family, layout: layout, nodes: nodes, logX: logX,
                    title: staircaseTitle(family: family, shapes: shapes, layout: layout, nodes: nodes, experiment: experiment, repetitions: repetitions),
                    table: table))
            }
        }
        return charts
    }

    /// "sweep blob: field data bytes[8…4096], 512 sizes · final-class · 200000 nodes · median of 3 repetitions
    /// (fewest ok: 2)".
    static func staircaseTitle(
        family: String, shapes: [Shape], layout: LayoutKind, nodes: Int, experiment: Experiment, repetitions: [Int]
    ) -> String {
        let lengths = shapes.compactMap { $0.sweep?.length }
        var swept = ""
        if let first = shapes.first, let sweep = first.sweep, sweep.fieldIndex < first.fields.count {
            let field = first.fields[sweep.fieldIndex]
            swept = ": field \(field.name) \(field.type.rawValue)[\(lengths.min() ?? 0)…\(lengths.max() ?? 0)]"
        }
        let others = shapes.first.map { shape in
            shape.fields.enumerated().filter { $0.offset != shape.sweep?.fieldIndex }.map { "\($0.element.name):\($0.element.typeToken)" }
        } ?? []
        var text = "sweep \(family)\(swept), \(lengths.count) sizes"
        if !others.isEmpty { text += " (with \(others.joined(separator: ";")))" }
        text += " · \(layout.rawValue) · \(nodes) nodes · "
        text += experiment.repetitions == 1 ? "1 repetition" : "median of \(experiment.repetitions) repetitions"
        if let fewest = repetitions.min(), fewest < experiment.repetitions { text += " (fewest ok: \(fewest))" }
        return text
    }
}
