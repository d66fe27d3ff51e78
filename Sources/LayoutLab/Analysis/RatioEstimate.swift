import Foundation

/// The ratio B ÷ A of one metric's geometric means over the repetitions of two sides, with its 95 %
/// confidence interval: Welch's t-interval on the logarithms of the values (unequal variances,
/// Welch–Satterthwaite degrees of freedom, Student-t quantile), exponentiated. Times and bytes are positive
/// and their noise is multiplicative, so logs make the spread symmetric, and the interval is about the ratio
/// it is printed beside. Its coverage is checked by simulation at 2, 3, 5 and 10 repetitions
/// (`ComparisonStatisticsTests`): at least 95 %, up to about 98 % at n = 2 (Welch is conservative there).
public struct RatioEstimate: Sendable, Equatable {
    /// How the interval was obtained.
    public enum Method: Sendable, Equatable {
        /// Welch's t-interval on log values, with its degrees of freedom.
        case welch(degreesOfFreedom: Double)
        /// Every repetition gave the same value on each side (deterministic counts): the ratio is exact and
        /// the interval is the point.
        case exact
    }

    /// Why a pair of samples has no interval.
    public enum Unavailable: Error, Sendable, Equatable {
        /// An interval needs an estimate of the spread on each side: at least two repetitions.
        case tooFewRepetitions(a: Int, b: Int)
        /// A value ≤ 0 has no logarithm (a count of zero, a negative difference).
        case nonPositive
        /// A value is NaN or infinite.
        case notFinite

        public var explanation: String {
            switch self {
            case .tooFewRepetitions(let a, let b):
                "\(a) repetition\(a == 1 ? "" : "s") in A and \(b) in B: an interval needs at least two on each side"
            case .nonPositive: "a value ≤ 0 has no logarithm, so there is no ratio of geometric means"
            case .notFinite: "a value is not a finite number"
            }
        }
    }

    /// The confidence level of `low`…`high`.
    public static let level = 0.95
    public static let methodName = "Welch t-interval on log values (ratio of geometric means, Welch–Satterthwaite df)"

    /// B ÷ A of the geometric means.
    public var ratio: Double
    public var low: Double
    public var high: Double
    public var method: Method
    /// mean(log B) − mean(log A) and its standard error (0 when exact).
    public var logDifference: Double
    public var standardError: Double

    /// The geometric mean of positive finite values; nil otherwise.
    public static func geometricMean(_ values: [Double]) -> Double? {
        guard !values.isEmpty, values.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
        return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }

    /// The estimate for repetitions `a` and `b`, or why there is none.
    public static func estimate(a: [Double], b: [Double]) -> Result<RatioEstimate, Unavailable> {
        guard (a + b).allSatisfy(\.isFinite) else { return .failure(.notFinite) }
        guard (a + b).allSatisfy({ $0 > 0 }) else { return .failure(.nonPositive) }
        guard a.count >= 2, b.count >= 2 else { return .failure(.tooFewRepetitions(a: a.count, b: b.count)) }
        let logA = a.map { log($0) }, logB = b.map { log($0) }
        let meanA = logA.reduce(0, +) / Double(logA.count), meanB = logB.reduce(0, +) / Double(logB.count)
        let difference = meanB - meanA
        // A side whose repetitions are all equal has no spread, exactly (not a rounding residue of the mean).
        func varianceOfMean(_ values: [Double], _ logs: [Double], _ mean: Double) -> Double {
            guard values.contains(where: { $0 != values[0] }) else { return 0 }
            return logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count - 1) / Double(logs.count)
        }
        let varianceA = varianceOfMean(a, logA, meanA), varianceB = varianceOfMean(b, logB, meanB)
        let ratio = exp(difference)
        guard varianceA + varianceB > 0 else {
            return .success(RatioEstimate(ratio: ratio, low: ratio, high: ratio, method: .exact, logDifference: difference, standardError: 0))
        }
        let standardError = (varianceA + varianceB).squareRoot()
        var denominator = 0.0
        if varianceA > 0 { denominator += varianceA * varianceA / Double(a.count - 1) }
        if varianceB > 0 { denominator += varianceB * varianceB / Double(b.count - 1) }
        let degreesOfFreedom = (varianceA + varianceB) * (varianceA + varianceB) / denominator
        let quantile = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: degreesOfFreedom)
        return .success(RatioEstimate(
            ratio: ratio, low: exp(difference - quantile * standardError), high: exp(difference + quantile * standardError),
            method: .welch(degreesOfFreedom: degreesOfFreedom), logDifference: difference, standardError: standardError))
    }

    /// The one-sided p-value of H0: ratio ≤ `bound` (small when B is clearly above bound × A).
    public func pValue(ratioAtMost bound: Double) -> Double {
        let statistic = logDifference - log(bound)
        switch method {
        case .exact: return statistic > 0 ? 0 : 1
        case .welch(let degreesOfFreedom): return StudentT.upperTail(statistic / standardError, degreesOfFreedom: degreesOfFreedom)
        }
    }

    /// The one-sided p-value of H0: ratio ≥ `bound` (small when B is clearly below bound × A).
    public func pValue(ratioAtLeast bound: Double) -> Double {
        let statistic = log(bound) - logDifference
        switch method {
        case .exact: return statistic > 0 ? 0 : 1
        case .welch(let degreesOfFreedom): return StudentT.upperTail(statistic / standardError, degreesOfFreedom: degreesOfFreedom)
        }
    }

    /// "Welch t, df 3.4" or "exact (no spread on either side)", for tables and `comparison.csv`.
    public var methodLabel: String {
        switch method {
        case .exact: "exact (no spread on either side)"
        case .welch(let degreesOfFreedom): "Welch t on logs, df \(Rounded.text(degreesOfFreedom, digits: 3))"
        }
    }
}
