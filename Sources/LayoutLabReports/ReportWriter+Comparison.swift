import LayoutLabAnalysis
import LayoutLabModel

extension ReportWriter {
    /// The report's "Comparison with <first allocator>" section: a row per comparison (configuration, metric,
    /// allocator, ratio of geometric means, 95 % interval, verdict). Programs and traces have a name, no layout and no
    /// node count: one column, headed by what they are; a threads column only for an experiment with `"threads"`.
    /// (Its own function: written inline in `render`, this table made the Swift 6.3.1 optimizer crash on `render`,
    /// "Found outside of lifetime use", as it has before.)
    static func comparisonSection(_ comparisons: [Comparison], experiment: Experiment) -> String {
        let baseline = experiment.allocators.first?.name ?? ""
        var text = "\n## Comparison with \(baseline)\n\n"
        text += "Ratio = other ÷ \(baseline) of geometric means; \(Comparison.method).\n\n"
        let threaded = ComparisonTable.hasThreads(comparisons)
        var named = ""
        if experiment.programs != nil { named = "program" } else if experiment.traces != nil { named = "trace" }
        if !named.isEmpty {
            text += "| \(named) | metric | allocator | ratio | 95 % interval | |\n|---|---|---|---|---|---|\n"
        } else if threaded {
            text += "| shape | layout | nodes | threads | metric | allocator | ratio | 95 % interval | |\n|---|---|---|---|---|---|---|---|---|\n"
        } else {
            text += "| shape | layout | nodes | metric | allocator | ratio | 95 % interval | |\n|---|---|---|---|---|---|---|---|\n"
        }
        for comparison in comparisons {
            var interval = comparison.identical ? "identical" : comparison.methodLabel
            if let bounds = comparison.interval {
                interval = "[\(ComparisonTable.format4(bounds.low)), \(ComparisonTable.format4(bounds.high))]"
            }
            var verdict = ""
            if let beyond = comparison.beyondNoise { verdict = beyond ? "beyond noise" : "within noise" }
            if named.isEmpty {
                text += "| \(comparison.shape) | \(comparison.layoutName) | \(comparison.nodes) | "
                if threaded { text += "\(comparison.threads.map(String.init) ?? "—") | " }
            } else {
                text += "| \(comparison.shape) | "
            }
            text += "\(comparison.metric) | \(comparison.sideB) "
            text += "| \(comparison.ratio.map(ComparisonTable.format4) ?? "—") | \(interval) | \(verdict) |\n"
        }
        return text
    }
}
