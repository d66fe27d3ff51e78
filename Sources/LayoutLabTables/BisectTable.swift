/// One row of `bisect.csv`: one tested build in one configuration (shape, layout, nodes, threads) of its probe,
/// against the known good build 1 measured in the same run. Build 1 has rows of its own (from the first probe),
/// with no ratio: it is what every ratio divides by. Figures are in the metric's unit (`bytes/node` for
/// `rss_bytes_per_node`), which the columns named after it carry.
package struct BisectRow: Sendable, Equatable {
    /// 1-based position of the build in `--builds`.
    package var buildIndex: Int
    package var buildPath: String
    /// The sha256 of the build's library; nil when it could not be read.
    package var buildSha256: String?
    /// The probe's results folder, relative to the bisection's folder (`build-8`).
    package var resultsFolder: String
    package var shape: String
    package var layout: String
    package var nodes: Int
    /// The configuration's thread count; nil for the classic one-thread trial (written as 1, as per-node.csv does).
    package var threads: Int?
    package var metric: String
    /// Successful repetitions of this build, and of build 1, in the probe.
    package var repetitions: Int
    package var baselineRepetitions: Int
    /// The geometric mean of the metric over this build's repetitions, and over build 1's in the same probe.
    package var geometricMean: Double?
    package var baselineGeometricMean: Double?
    /// This build ÷ build 1 of the geometric means, and its 95 % interval (Welch t on logs); nil for build 1.
    package var ratio: Double?
    package var ratioLow: Double?
    package var ratioHigh: Double?
    /// The Holm-adjusted p-value of "not worse than build 1 by more than the bound"; nil when not tested.
    package var adjustedPValue: Double?
    /// This configuration is worse than build 1 by more than the bound, with its whole interval beyond it.
    package var regression: Bool?
    /// What the probe says of the build: `bad`, `good`, `undecidable`, or `baseline` for build 1.
    package var verdict: String

    package init(
        buildIndex: Int, buildPath: String, buildSha256: String?, resultsFolder: String, shape: String, layout: String,
        nodes: Int, threads: Int?, metric: String, repetitions: Int, baselineRepetitions: Int, geometricMean: Double?,
        baselineGeometricMean: Double?, ratio: Double?, ratioLow: Double?, ratioHigh: Double?, adjustedPValue: Double?,
        regression: Bool?, verdict: String
    ) {
        self.buildIndex = buildIndex
        self.buildPath = buildPath
        self.buildSha256 = buildSha256
        self.resultsFolder = resultsFolder
        self.shape = shape
        self.layout = layout
        self.nodes = nodes
        self.threads = threads
        self.metric = metric
        self.repetitions = repetitions
        self.baselineRepetitions = baselineRepetitions
        self.geometricMean = geometricMean
        self.baselineGeometricMean = baselineGeometricMean
        self.ratio = ratio
        self.ratioLow = ratioLow
        self.ratioHigh = ratioHigh
        self.adjustedPValue = adjustedPValue
        self.regression = regression
        self.verdict = verdict
    }
}

/// `bisect.csv`, written by `layoutlab bisect` into its folder: every tested build's figures, build by build
/// in the order of `--builds`. The two geometric-mean columns end in the metric's name, so that their unit is
/// in the header (`geometric_mean_rss_bytes_per_node`: bytes/node, as `CSVColumn.unit` reads it).
package enum BisectTable {
    package static let fileName = "bisect.csv"

    package static func schema(metric: String) -> CSVSchema<BisectRow> {
        CSVSchema<BisectRow>([
            .derived("build_index", .integer) { $0.buildIndex },
            .derived("build_path", .text) { $0.buildPath },
            .derived("build_sha256", .text) { $0.buildSha256 },
            .derived("results_folder", .text) { $0.resultsFolder },
            .derived("shape", .text) { $0.shape },
            .derived("layout", .text) { $0.layout },
            .derived("nodes", .integer) { $0.nodes },
            .derived("threads", .integer) { $0.threads ?? 1 },
            .derived("metric", .text) { $0.metric },
            .derived("repetitions", .integer) { $0.repetitions },
            .derived("build1_repetitions", .integer) { $0.baselineRepetitions },
            .derived("geometric_mean_\(metric)", .thousandths) { $0.geometricMean },
            .derived("build1_geometric_mean_\(metric)", .thousandths) { $0.baselineGeometricMean },
            .derived("ratio_to_build1", .sixDigits) { $0.ratio },
            .derived("ratio_low", .sixDigits) { $0.ratioLow },
            .derived("ratio_high", .sixDigits) { $0.ratioHigh },
            .derived("adjusted_p_value", .sixDigits) { $0.adjustedPValue },
            .derived("regression", .flag) { $0.regression },
            .derived("verdict", .text) { $0.verdict },
        ])
    }

    package static func table(_ rows: [BisectRow], metric: String) -> CSVTable { schema(metric: metric).table(rows) }
}
