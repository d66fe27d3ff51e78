import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabTables

/// What `layoutlab bisect` prints and writes as its evidence: a line per probe, and a table of every tested
/// build (its index, path, sha256, the metric's geometric mean, the ratio to build 1 with its 95 % interval, the
/// verdict), one row per configuration, which is also `bisect.csv`.
public enum BisectReport {
    /// The rows of `bisect.csv`: build 1 (from the first probe), then every tested build in index order.
    package static func rows(_ outcome: Bisection.Outcome, metric: String) -> [BisectRow] {
        var rows: [BisectRow] = []
        let folder = outcome.folder.standardizedFileURL.path
        func relative(_ url: String) -> String {
            url.hasPrefix(folder + "/") ? String(url.dropFirst(folder.count + 1)) : url
        }
        if let first = outcome.probes.first, let good = outcome.builds.first {
            for comparison in first.verdict.comparisons {
                rows.append(BisectRow(
                    buildIndex: good.index, buildPath: good.path, buildSha256: good.sha256,
                    resultsFolder: relative(first.folder.standardizedFileURL.path), shape: comparison.shape, layout: comparison.layout,
                    nodes: comparison.nodes, threads: comparison.threads, metric: metric, repetitions: comparison.valuesA.count,
                    baselineRepetitions: comparison.valuesA.count, geometricMean: comparison.geometricMeanA,
                    baselineGeometricMean: comparison.geometricMeanA, ratio: nil, ratioLow: nil, ratioHigh: nil, adjustedPValue: nil,
                    regression: nil, verdict: "baseline"))
            }
        }
        for probe in outcome.probes.sorted(by: { $0.build.index < $1.build.index }) {
            for comparison in probe.verdict.comparisons {
                rows.append(BisectRow(
                    buildIndex: probe.build.index, buildPath: probe.build.path, buildSha256: probe.build.sha256,
                    resultsFolder: relative(probe.folder.standardizedFileURL.path), shape: comparison.shape, layout: comparison.layout,
                    nodes: comparison.nodes, threads: comparison.threads, metric: metric, repetitions: comparison.valuesB.count,
                    baselineRepetitions: comparison.valuesA.count, geometricMean: comparison.geometricMeanB,
                    baselineGeometricMean: comparison.geometricMeanA, ratio: comparison.ratio, ratioLow: comparison.interval?.low,
                    ratioHigh: comparison.interval?.high, adjustedPValue: probe.verdict.adjustedPValue(of: comparison),
                    regression: probe.verdict.regressed(comparison), verdict: word(probe.verdict.outcome)))
            }
        }
        return rows
    }

    static func word(_ outcome: BisectVerdict.Outcome) -> String {
        switch outcome {
        case .bad: "bad"
        case .good: "good"
        case .undecidable: "undecidable"
        }
    }

    /// "1.286×, 95 % [1.283, 1.289]", or the ratio alone when there is no interval.
    static func ratioText(_ comparison: Comparison) -> String {
        let ratio = Rounded.text(comparison.ratio, digits: 4) + "×"
        guard let interval = comparison.interval else { return ratio }
        return "\(ratio), 95 % [\(Rounded.text(interval.low, digits: 4)), \(Rounded.text(interval.high, digits: 4))]"
    }

    /// The line after a probe: its verdict and the configuration that decided it (the worst one).
    static func summary(_ probe: Bisection.Probe, metric: String, percent: Double) -> String {
        let verdict = probe.verdict
        let bound = Rounded.text(percent)
        let worst = verdict.comparisons.max { ($0.ratio ?? 0) < ($1.ratio ?? 0) }
        let row = worst.map { "\($0.shape) \($0.layout) \($0.nodes)\($0.threadsText): \(ratioText($0))" } ?? "no rows"
        switch verdict.outcome {
        case .bad:
            let count = verdict.check.regressions.count
            return "build \(probe.build.index): bad — \(metric) worse than build 1 by more than \(bound) % in \(count) of \(verdict.comparisons.count) configuration\(verdict.comparisons.count == 1 ? "" : "s") (\(row))"
        case .good:
            return "build \(probe.build.index): good — no configuration worse than build 1 by more than \(bound) % beyond noise (largest ratio: \(row))"
        case .undecidable(let reason):
            return "build \(probe.build.index): undecidable — \(reason)"
        }
    }

    /// The evidence table for the terminal: one line per tested build and configuration.
    public static func table(_ outcome: Bisection.Outcome) -> String {
        table(outcome.rows, metric: outcome.rows.first?.metric ?? "metric")
    }

    package static func table(_ rows: [BisectRow], metric: String) -> String {
        var lines = [["build", "path", "sha256", "configuration", "n", "\(metric) (geo. mean)", "÷ build 1", "95 % interval", "verdict"]]
        for row in rows {
            let interval = row.ratioLow.map { "[\(Rounded.text($0, digits: 4)), \(Rounded.text(row.ratioHigh, digits: 4))]" } ?? ""
            lines.append([
                String(row.buildIndex), row.buildPath, String((row.buildSha256 ?? "–").prefix(12)),
                "\(row.shape) \(row.layout) \(row.nodes)\(row.threads.map { " T\($0)" } ?? "")", String(row.repetitions),
                Rounded.text(row.geometricMean, digits: 3), row.ratio.map { Rounded.text($0, digits: 4) + "×" } ?? "",
                interval, row.verdict + (row.regression == true ? " (regression)" : ""),
            ])
        }
        return TextTable.aligned(lines)
    }
}
