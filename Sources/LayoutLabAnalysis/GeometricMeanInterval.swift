import Foundation
import LayoutLabStatistics

/// One side's geometric mean over its repetitions, in the metric's own unit, with its 95 % interval: the
/// Student-t interval of the mean of the log values (`MeanInterval` on logs, n − 1 degrees of freedom),
/// exponentiated, so that it is about the geometric mean it is printed beside, as `RatioEstimate` is about a
/// ratio. Repetitions that all gave one and the same value (deterministic counts, bytes) are exact: the
/// interval is the point (for any value, ≤ 0 included). One repetition, or a value ≤ 0 among different ones,
/// gives a mean (when there is one) and no interval.
public struct GeometricMeanInterval: Sendable, Equatable {
    public var count: Int
    /// The geometric mean; nil when a value is ≤ 0 or not finite and the values differ.
    public var geometricMean: Double?
    public var low: Double?
    public var high: Double?
    /// Every repetition gave the same value.
    public var exact: Bool
    /// Why there is no interval; nil when there is one.
    public var missing: String?

    public init(_ values: [Double]) {
        count = values.count
        exact = values.count >= 2 && values.allSatisfy { $0 == values[0] } && values[0].isFinite
        if exact {
            geometricMean = values[0]
            low = values[0]
            high = values[0]
            return
        }
        geometricMean = RatioEstimate.geometricMean(values)
        guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            missing = values.allSatisfy(\.isFinite) ? "a value ≤ 0 has no logarithm" : "a value is not a finite number"
            return
        }
        guard let interval = MeanInterval(values.map { log($0) }, level: RatioEstimate.level) else {
            missing = "\(values.count) repetition\(values.count == 1 ? "" : "s"): an interval needs at least two"
            return
        }
        low = exp(interval.mean - interval.halfWidth)
        high = exp(interval.mean + interval.halfWidth)
    }

    /// "Student t on log values, n 3", "exact (every repetition equal)", or why there is no interval.
    public var methodLabel: String {
        if exact { return "exact (every repetition equal)" }
        if let missing { return "no interval: \(missing)" }
        return "Student t on log values, n \(count)"
    }
}
