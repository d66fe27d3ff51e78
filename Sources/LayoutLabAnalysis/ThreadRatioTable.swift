import LayoutLabModel
import LayoutLabTables

/// `report.md`'s table of an experiment with `"threads"` against its smallest thread count (T = 1 when the
/// experiment has it): for each shape, node count and allocator, layouts × phases with ns per node and RSS per
/// node at the baseline count (absolute) and at every other count ÷ the same configuration and phase at the
/// baseline (medians over the successful repetitions), then the allocator's arenas and thread-cache bytes at
/// the end of the phase at each count. The largest ratio of each figure is said in a sentence.
package enum ThreadRatioTable {
    /// One ratio: a figure of a configuration and phase at `threads` ÷ the same at `baselineThreads`.
    package struct Ratio: Sendable, Equatable {
        package var shape: String
        package var nodes: Int
        package var layout: LayoutKind
        package var allocator: String
        package var phaseIndex: Int
        package var phaseLabel: String
        package var threads: Int
        package var baselineThreads: Int
        /// `ns_per_node` or `rss_bytes_per_node`.
        package var metric: String
        /// Medians at `threads` and at `baselineThreads` (ns or bytes per node).
        package var value: Double
        package var baseline: Double
        package var ratio: Double { value / baseline }
    }

    package static let metrics = ["ns_per_node", "rss_bytes_per_node"]

    /// Every ratio with both medians present and a positive baseline, in the experiment's order.
    package static func ratios(_ run: ExperimentRun) -> [Ratio] {
        let scaling = ThreadScaling(run: run)
        guard let base = scaling.threadCounts.first else { return [] }
        let experiment = run.experiment
        var ratios: [Ratio] = []
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for allocator in experiment.allocators {
                    for layout in experiment.layouts {
                        for phaseIndex in scaling.phaseIndices(of: experiment) {
                            func key(_ threads: Int) -> ThreadScaling.Key {
                                .init(shape: shape.name, nodes: nodes, layout: layout, allocator: allocator.name, threads: threads, phaseIndex: phaseIndex)
                            }
                            for metric in metrics {
                                guard let baseline = median(scaling[key(base)], metric), baseline > 0 else { continue }
                                for threads in scaling.threadCounts.dropFirst() {
                                    guard let value = median(scaling[key(threads)], metric) else { continue }
                                    ratios.append(Ratio(
                                        shape: shape.name, nodes: nodes, layout: layout, allocator: allocator.name, phaseIndex: phaseIndex,
                                        phaseLabel: ChartData.label(experiment.phases[phaseIndex]), threads: threads, baselineThreads: base,
                                        metric: metric, value: value, baseline: baseline))
                                }
                            }
                        }
                    }
                }
            }
        }
        return ratios
    }

    /// The median of `metric` (`ns_per_node` or `rss_bytes_per_node`) in a cell; nil without one.
    static func median(_ figures: ThreadScaling.Figures?, _ metric: String) -> Double? {
        guard let figures else { return nil }
        return PerNodeSummary.median(metric == "ns_per_node" ? figures.nsPerNode : figures.rssBytesPerNode)
    }

    /// The ratio farthest above 1 of `metric`; nil without ratios.
    package static func largest(_ ratios: [Ratio], metric: String) -> Ratio? {
        ratios.filter { $0.metric == metric }.max { $0.ratio < $1.ratio }
    }

    /// The section's Markdown: one table per shape × node count × allocator, then the largest ratios; "" for
    /// an experiment without `"threads"`.
    package static func markdown(_ run: ExperimentRun) -> String {
        let scaling = ThreadScaling(run: run)
        guard let base = scaling.threadCounts.first else { return "" }
        let experiment = run.experiment
        let others = Array(scaling.threadCounts.dropFirst())
        let ratios = ratios(run)
        let phases = scaling.phaseIndices(of: experiment)
        let counts = scaling.threadCounts.map(String.init).joined(separator: "/")
        var text = "\nns per node is the phase's wall time ÷ all its nodes, so perfect scaling over T threads is 1/T of T = \(base)'s "
        text += "and 1.00 means no speed-up; RSS per node is (RSS at the phase's end − RSS before the trial allocated) ÷ nodes. "
        text += "Medians over the successful repetitions; each ratio divides by the same layout, allocator and phase at T = \(base). "
        text += "Arenas: the allocator's arenas (in use) at the phase's end, and its thread caches' bytes (jemalloc tcache, tcmalloc "
        text += "thread caches; glibc reports arenas only, mimalloc neither), at T = \(counts). — : not measured.\n"
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for allocator in experiment.allocators {
                    text += "\n**\(experiment.name) · \(shape.name) · \(nodes) nodes · \(allocator.name) · against T = \(base)**\n\n"
                    var header = ["layout", "phase", "ns/node T=\(base)"] + others.map { "ns T=\($0) ÷ T=\(base)" }
                    header += ["RSS B/node T=\(base)"] + others.map { "RSS T=\($0) ÷ T=\(base)" }
                    header += ["arenas (used) T=\(counts)", "thread caches KiB T=\(counts)"]
                    text += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
                    for layout in experiment.layouts {
                        for phaseIndex in phases {
                            func key(_ threads: Int) -> ThreadScaling.Key {
                                .init(shape: shape.name, nodes: nodes, layout: layout, allocator: allocator.name, threads: threads, phaseIndex: phaseIndex)
                            }
                            func ratio(_ threads: Int, _ metric: String) -> String {
                                ratios.first {
                                    $0.shape == shape.name && $0.nodes == nodes && $0.layout == layout && $0.allocator == allocator.name
                                        && $0.phaseIndex == phaseIndex && $0.threads == threads && $0.metric == metric
                                }.map { Rounded.text($0.ratio, digits: 2) + "×" } ?? "—"
                            }
                            let cells = scaling.threadCounts.map { scaling[key($0)] }
                            guard cells.contains(where: { $0 != nil }) else { continue }
                            var row = [layout.rawValue, ChartData.label(experiment.phases[phaseIndex])]
                            row.append(number(median(scaling[key(base)], "ns_per_node")))
                            row += others.map { ratio($0, "ns_per_node") }
                            row.append(number(median(scaling[key(base)], "rss_bytes_per_node")))
                            row += others.map { ratio($0, "rss_bytes_per_node") }
                            row.append(cells.map { cell -> String in
                                guard let arenas = cell.flatMap({ PerNodeSummary.median($0.allocatorArenas) }) else { return "—" }
                                let used = cell.flatMap { PerNodeSummary.median($0.allocatorArenasUsed) }
                                return whole(arenas) + (used.map { " (\(whole($0)))" } ?? "")
                            }.joined(separator: " / "))
                            row.append(cells.map { cell in
                                number(cell.flatMap { PerNodeSummary.median($0.allocatorThreadCacheBytes) }.map { $0 / 1024 })
                            }.joined(separator: " / "))
                            text += "| " + row.joined(separator: " | ") + " |\n"
                        }
                    }
                }
            }
        }
        text += "\n" + largestSentences(ratios) + "\n"
        return text
    }

    /// One decimal, "—" for a figure not measured.
    static func number(_ value: Double?) -> String { value == nil ? "—" : Rounded.text(value) }

    /// A count (a median of counts may end in .5: kept).
    static func whole(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : Rounded.text(value) }

    /// "The largest ratio of ns per node: …; of RSS per node: …." (or that there is none).
    package static func largestSentences(_ ratios: [Ratio]) -> String {
        let sentences = metrics.map { metric -> String in
            let name = metric == "ns_per_node" ? "ns per node" : "RSS per node"
            let unit = metric == "ns_per_node" ? "ns/node" : "B/node"
            guard let top = largest(ratios, metric: metric) else { return "No ratio of \(name): no configuration has it at two thread counts." }
            return "The largest ratio of \(name) is \(top.layout.rawValue) under \(top.allocator) in \(top.phaseLabel) "
                + "(\(top.shape), \(top.nodes) nodes): \(Rounded.text(top.ratio, digits: 2))× at T = \(top.threads) "
                + "(\(Rounded.text(top.value)) against \(Rounded.text(top.baseline)) \(unit) at T = \(top.baselineThreads))."
        }
        return sentences.joined(separator: " ")
    }
}
