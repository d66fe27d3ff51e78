/// Holm's step-down Bonferroni procedure: which of m hypotheses to reject so that the chance of rejecting
/// any true one is at most `familyErrorRate`, whatever their dependence. Sorted by p-value, the i-th smallest
/// (from 0) is rejected while p ≤ rate ÷ (m − i); the first that is not stops the procedure.
package enum HolmBonferroni {
    /// Holm-adjusted p-values, in the order given: a hypothesis is rejected at rate α exactly when its
    /// adjusted p-value is ≤ α.
    package static func adjusted(_ pValues: [Double]) -> [Double] {
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: pValues.count)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(pValues.count - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Whether each hypothesis is rejected at `familyErrorRate`, in the order given.
    package static func rejections(_ pValues: [Double], familyErrorRate: Double) -> [Bool] {
        adjusted(pValues).map { $0 <= familyErrorRate }
    }
}
