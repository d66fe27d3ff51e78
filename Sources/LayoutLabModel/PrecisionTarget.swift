/// `"precision"` of an experiment: after its planned repetitions, a configuration gets more until the
/// Student-t interval (95 % at a fixed n) of the mean of `metric` (a `*_per_node` column of `trials.csv`, looked
/// up by name) over its successful repetitions is at most `relativeHalfWidth` of that mean on either side, or
/// `maxRepetitions` trials of it have run (see `PrecisionState`). A stopping rule: the interval it stops with
/// covers the mean less often than 95 %.
public struct PrecisionTarget: Equatable, Sendable {
    public var metric: String
    /// Half-width of the interval ÷ |mean|, e.g. 0.02 for ±2 %.
    public var relativeHalfWidth: Double
    /// Trials of one configuration at most, failed ones included; at least the planned repetitions.
    public var maxRepetitions: Int

    public static let defaultMaxRepetitions = 30
    /// The interval's confidence level for a fixed n (the stopped interval's coverage is lower).
    public static let level = 0.95

    public init(metric: String, relativeHalfWidth: Double, maxRepetitions: Int = PrecisionTarget.defaultMaxRepetitions) {
        self.metric = metric
        self.relativeHalfWidth = relativeHalfWidth
        self.maxRepetitions = maxRepetitions
    }
}
