import Foundation
import LayoutLabModel
import LayoutLabStatistics

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
        /// The control allocator (`compare --control`) cannot divide this row: why.
        case control(String)

        public var explanation: String {
            switch self {
            case .tooFewRepetitions(let a, let b):
                "\(a) repetition\(a == 1 ? "" : "s") in A and \(b) in B: an interval needs at least two on each side"
            case .nonPositive: "a value ≤ 0 has no logarithm, so there is no ratio of geometric means"
            case .notFinite: "a value is not a finite number"
            case .control(let reason): reason
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
        estimate(terms: [(a, -1), (b, 1)])
    }

    /// The ratio (B ÷ A) ÷ (control B ÷ control A), for repetitions of one allocator and of a control
    /// allocator in two runs: a difference of differences of mean logs, whose variance is the sum of the four
    /// sides' variances of the mean, with Welch–Satterthwaite degrees of freedom over the four. A shift that
    /// multiplies every trial of a run alike (machine drift) cancels; the interval holds the noise of all four.
    public static func estimate(
        a: [Double], b: [Double], controlA: [Double], controlB: [Double]
    ) -> Result<RatioEstimate, Unavailable> {
        estimate(terms: [(a, -1), (b, 1), (controlA, 1), (controlB, -1)])
    }

    /// exp(Σ sign × mean log) with Welch's interval over independent samples (sides A and B first).
    static func estimate(terms: [(values: [Double], sign: Double)]) -> Result<RatioEstimate, Unavailable> {
        let all = terms.flatMap(\.values)
        guard all.allSatisfy(\.isFinite) else { return .failure(.notFinite) }
        guard all.allSatisfy({ $0 > 0 }) else { return .failure(.nonPositive) }
        guard terms[0].values.count >= 2, terms[1].values.count >= 2 else {
            return .failure(.tooFewRepetitions(a: terms[0].values.count, b: terms[1].values.count))
        }
        if terms.count == 4, terms[2].values.count < 2 || terms[3].values.count < 2 {
            let a = terms[2].values.count, b = terms[3].values.count
            return .failure(.control("the control has \(a) repetition\(a == 1 ? "" : "s") in A and \(b) in B: it needs at least two on each side"))
        }
        var difference = 0.0, variance = 0.0, denominator = 0.0
        for (values, sign) in terms {
            let logs = values.map { log($0) }
            let mean = logs.reduce(0, +) / Double(logs.count)
            difference += sign * mean
            // A side whose repetitions are all equal has no spread, exactly (not a rounding residue of the mean).
            guard values.contains(where: { $0 != values[0] }) else { continue }
            let ofMean = logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count - 1) / Double(logs.count)
            variance += ofMean
            denominator += ofMean * ofMean / Double(logs.count - 1)
        }
        let ratio = exp(difference)
        guard variance > 0 else {
            return .success(RatioEstimate(ratio: ratio, low: ratio, high: ratio, method: .exact, logDifference: difference, standardError: 0))
        }
        let standardError = variance.squareRoot()
        let degreesOfFreedom = variance * variance / denominator
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
