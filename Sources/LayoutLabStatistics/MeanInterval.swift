/// The two-sided Student-t confidence interval of a mean: mean ± t(1 − (1 − level)/2, n − 1) · s / √n, with s
/// the sample standard deviation of the raw values (not their logarithms).
package struct MeanInterval: Equatable, Sendable {
    package var count: Int
    package var mean: Double
    package var halfWidth: Double

    /// Nil for fewer than two values (no spread to estimate).
    package init?(_ values: [Double], level: Double = 0.95) {
        guard values.count >= 2 else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        count = values.count
        self.mean = mean
        halfWidth = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: n - 1) * variance.squareRoot() / n.squareRoot()
    }

    /// Half-width ÷ |mean|: 0 when every value is the same, infinity for a mean of 0 with any spread.
    package var relativeHalfWidth: Double {
        if halfWidth == 0 { return 0 }
        return mean == 0 ? .infinity : halfWidth / abs(mean)
    }
}
