import LayoutLabModel
import LayoutLabTables

/// Compares a metric between two sides (two allocators of one run, or one configuration in two runs): the
/// median and geometric mean of each side, and the ratio B ÷ A of the geometric means with its 95 % interval
/// (`RatioEstimate`: Welch's t-interval on log values). A difference is beyond noise when the interval
/// excludes 1. With a control (`compare A B --control C`, time metrics of two runs), the ratio is divided by
/// the control allocator's own B ÷ A of the same configuration, so that a shift of the whole run cancels.
public struct Comparison: Sendable {
    /// The control allocator's repetitions of the same configuration in both runs.
    public struct Control: Sendable {
        public var allocator: String
        public var valuesA: [Double]
        public var valuesB: [Double]
        /// Why there is no control for this row (its trials are missing); nil when the values are there.
        public var missing: String?

        public init(allocator: String, valuesA: [Double], valuesB: [Double], missing: String? = nil) {
            self.allocator = allocator
            self.valuesA = valuesA
            self.valuesB = valuesB
            self.missing = missing
        }
    }

    public static let method = RatioEstimate.methodName
    /// What `compare` compares when no `--metric` is given; `defaultMetrics(in:)` adds instruction and page-fault counts.
    public static let baseMetrics = ["rss_bytes_per_node", "usable_bytes_per_node", "allocate_ns_per_node"]
    /// What `compare` compares for trace replays (every row's layout `trace`) when no `--metric` is given: the live
    /// usable bytes and the RSS at the trace's peak, and the replay's time per event.
    public static let traceMetrics = ["peak_live_usable_bytes", "rss_at_peak_bytes", "replay_ns_per_event"]
    /// What `compare` compares for programs (every row's layout `program`) when no `--metric` is given: the kernel's peak
    /// RSS, the program's wall time and its user CPU time.
    public static let programMetrics = ["peak_rss_bytes", "program_wall_ns", "user_cpu_ns"]

    public var shape: String
    public var layout: String
    public var nodes: Int
    /// The thread count of both sides' trials (an experiment with `"threads"`); nil: classic one-thread trials.
    /// Trials of different thread counts are never paired.
    public var threads: Int?
    /// The interpreter version of both sides' trials (`3.12.1`) for a Python layout; nil for Swift layouts and
    /// folders from before `python_version`. Trials of different interpreters are never paired.
    public var python: String?
    public var sideA: String
    public var sideB: String
    public var metric: String
    public var valuesA: [Double]
    public var valuesB: [Double]
    public var control: Control?
    /// The interval, computed once.
    public let estimate: Result<RatioEstimate, RatioEstimate.Unavailable>

    public init(
        shape: String, layout: String, nodes: Int, threads: Int? = nil, python: String? = nil, sideA: String, sideB: String, metric: String,
        valuesA: [Double], valuesB: [Double], control: Control? = nil
    ) {
        self.shape = shape
        self.layout = layout
        self.nodes = nodes
        self.threads = threads
        self.python = python
        self.sideA = sideA
        self.sideB = sideB
        self.metric = metric
        self.valuesA = valuesA
        self.valuesB = valuesB
        self.control = control
        if let control {
            estimate = control.missing.map { .failure(.control($0)) }
                ?? RatioEstimate.estimate(a: valuesA, b: valuesB, controlA: control.valuesA, controlB: control.valuesB)
        } else {
            estimate = RatioEstimate.estimate(a: valuesA, b: valuesB)
        }
    }

    /// The base metrics (`traceMetrics` when every row is a trace replay, `programMetrics` when every row is a program), then every `*_instructions_per_node` and `*_minor_faults_per_node` column with numbers
    /// in every table: counts, which decide time verdicts (see `RegressionCheck`) and are tested themselves.
    /// Page faults are the main kernel cost that user-space instruction counts miss.
    public static func defaultMetrics(in tables: [TrialTable]) -> [String] {
        let counts = (tables.first?.header ?? []).filter { column in
            countSuffixes.contains { column.hasSuffix($0) }
                && tables.allSatisfy { table in table.rows.contains { $0.value(column) != nil } }
        }
        func only(_ layout: String) -> Bool { tables.allSatisfy { table in !table.rows.isEmpty && table.rows.allSatisfy { $0.layout == layout } } }
        let base = only("trace") ? traceMetrics : only("program") ? programMetrics : baseMetrics
        return base + counts.filter { $0.hasSuffix(countSuffixes[0]) } + counts.filter { $0.hasSuffix(countSuffixes[1]) }
    }

    /// The columns `defaultMetrics(in:)` adds where they have numbers: instruction counts, then page faults.
    public static let countSuffixes = ["_instructions_per_node", "_minor_faults_per_node"]

    /// "point final-class 1000000 allocate_ns_per_node jemalloc (A) → jemalloc (B)": names the row in messages.
    public var rowName: String { "\(configurationName) \(metric) \(sideA) → \(sideB)" }

    /// What was measured: "point final-class 1000000" (shape, layout, nodes, threads) for node trials; "program
    /// python-dict" or "trace build-dict" for a program or a trace (whose rows carry the name as their shape, the kind
    /// as their layout and 0 nodes).
    public var configurationName: String {
        isProgramOrTrace ? "\(layout) \(shape)" : "\(shape) \(layoutName) \(nodes)\(threadsText)"
    }

    /// A program's or a trace's row rather than a node configuration's.
    public var isProgramOrTrace: Bool { layout == "program" || layout == "trace" }

    /// The layout, with the interpreter version of a Python layout (`python-slots-class 3.12.1`) when the rows carry one.
    public var layoutName: String { layout + (python.map { " \($0)" } ?? "") }

    /// " T4" after the node count in messages for a threaded configuration; "" for a classic one.
    public var threadsText: String { threads.map { " T\($0)" } ?? "" }

    public var direction: MetricDirection { MetricDirection(metric: metric) }

    public var medianA: Double? { PerNodeSummary.median(valuesA) }
    public var medianB: Double? { PerNodeSummary.median(valuesB) }
    public var geometricMeanA: Double? { RatioEstimate.geometricMean(valuesA) }
    public var geometricMeanB: Double? { RatioEstimate.geometricMean(valuesB) }

    /// B ÷ A of the geometric means (the ratio the interval is about), divided by the control's B ÷ A when
    /// there is one; nil when a value is ≤ 0 or a side is empty.
    public var ratio: Double? {
        guard let a = geometricMeanA, let b = geometricMeanB else { return nil }
        guard let control else { return b / a }
        guard let controlA = RatioEstimate.geometricMean(control.valuesA), let controlB = RatioEstimate.geometricMean(control.valuesB)
        else { return nil }
        return b / a / (controlB / controlA)
    }

    /// The 95 % interval of the ratio; nil with fewer than two repetitions on a side or a value ≤ 0.
    public var interval: (low: Double, high: Double)? {
        guard case .success(let estimate) = estimate else { return nil }
        return (estimate.low, estimate.high)
    }

    /// At least two repetitions on each side, all giving one and the same value: B equals A exactly (even
    /// for values ≤ 0, which have no ratio). One repetition a side could agree by chance.
    /// With a control, its repetitions too must all be one value.
    public var identical: Bool {
        guard valuesA.count >= 2, valuesB.count >= 2, let first = valuesA.first else { return false }
        guard (valuesA + valuesB).allSatisfy({ $0 == first }) else { return false }
        guard let control else { return true }
        guard control.valuesA.count >= 2, control.valuesB.count >= 2, let value = control.valuesA.first else { return false }
        return (control.valuesA + control.valuesB).allSatisfy { $0 == value }
    }

    /// True when the interval excludes 1; nil when there is no interval (false when both sides are identical).
    public var beyondNoise: Bool? {
        if identical { return false }
        return interval.map { $0.low > 1 || $0.high < 1 }
    }

    /// "B worse", "B better" (or "B higher"/"B lower" for a metric without direction), "within noise", or
    /// "" without an interval.
    public var verdict: String {
        switch beyondNoise {
        case .some(true): "B " + direction.word(bHigher: (ratio ?? 1) > 1)
        case .some(false): identical ? "identical" : "within noise"
        case .none: ""
        }
    }

    /// How the interval was obtained, or why there is none.
    public var methodLabel: String {
        switch estimate {
        case .success(let estimate): estimate.methodLabel + (control.map { ", ÷ control \($0.allocator)'s B ÷ A" } ?? "")
        case .failure(let reason): identical ? "identical values" : "no interval: \(reason.explanation)"
        }
    }
}
