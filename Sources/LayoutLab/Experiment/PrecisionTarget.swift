/// `"precision"` of an experiment: after its planned repetitions, a configuration gets more until the 95 %
/// Student-t interval of the mean of `metric` (a numeric `trials.csv` column, looked up by name) over its
/// successful repetitions is at most `relativeHalfWidth` of that mean on either side, or `maxRepetitions`
/// trials of it have run (see `PrecisionState`).
public struct PrecisionTarget: Equatable, Sendable {
    public var metric: String
    /// Half-width of the interval ÷ |mean|, e.g. 0.02 for ±2 %.
    public var relativeHalfWidth: Double
    /// Trials of one configuration at most, failed ones included; at least the planned repetitions.
    public var maxRepetitions: Int

    public static let defaultMaxRepetitions = 30
    /// The interval's confidence level.
    public static let level = 0.95

    public init(metric: String, relativeHalfWidth: Double, maxRepetitions: Int = PrecisionTarget.defaultMaxRepetitions) {
        self.metric = metric
        self.relativeHalfWidth = relativeHalfWidth
        self.maxRepetitions = maxRepetitions
    }
}
