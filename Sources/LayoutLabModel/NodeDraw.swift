import Glibc

/// The one description of what a node's variable fields hold, which the generated Swift code and the Python
/// worker both implement (and tests compare with this): for node `i` and field position `k`,
///
/// - `h1 = mix(seed ^ (k + 1)·0x9E3779B97F4A7C15 ^ i·0xD1B54A32D192ED03)`, `h2 = mix(h1 ^ 0xA24BAED4963EE407)`, with
///   `mix` SplitMix64's finaliser and all arithmetic on UInt64, wrapping;
/// - length: `fixed(L)` → L; `uniform(a, b)` → `a + h1 mod (b − a + 1)`; `choice` → the first option whose
///   threshold `⌊cumulative weight · 2^53⌋` (the last is 2^53) exceeds `h1 >> 11`; `lognormal(m, σ, max)` →
///   Box–Muller: `u1 = ((h1 >> 11) + 1)·2^−53`, `u2 = (h2 >> 11)·2^−53`, `z = √(−2 ln u1)·cos((2π)·u2)`,
///   `min(max, ⌊m·exp(σ·z) + 0.5⌋)`, in IEEE doubles with the C library's `log`, `cos`, `exp`;
/// - contents: the text or bytes start at letter `h1 mod 26` of `abc…z` and run on cyclically; array element `j` is
///   `i + j` in the element type (integers truncated, floats converted; a `bool` element is true when `i + j` is odd);
/// - scalar fields keep the values they always had (`i + k`).
public enum NodeDraw {
    /// SplitMix64's output function.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The first hash of field `fieldIndex` of node `node`.
    public static func firstHash(seed: UInt64, fieldIndex: Int, node: Int) -> UInt64 {
        mix(seed ^ (UInt64(fieldIndex) &+ 1) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: node) &* 0xD1B5_4A32_D192_ED03)
    }

    /// The second hash, from the first.
    public static func secondHash(_ first: UInt64) -> UInt64 { mix(first ^ 0xA24B_AED4_963E_E407) }

    /// The choice thresholds: option k is drawn when `h1 >> 11` is below threshold k and not below k − 1's.
    public static func choiceThresholds(_ options: [FieldLength.Weighted]) -> [UInt64] {
        var cumulative = 0.0
        var thresholds: [UInt64] = []
        for (index, option) in options.enumerated() {
            cumulative += option.weight
            thresholds.append(index == options.count - 1 ? 1 << 53 : UInt64((cumulative * 9_007_199_254_740_992).rounded(.down)))
        }
        return thresholds
    }

    /// The length node `node` draws for a field of length `length` at position `fieldIndex`.
    public static func length(_ length: FieldLength, seed: UInt64, fieldIndex: Int, node: Int) -> Int {
        let h1 = firstHash(seed: seed, fieldIndex: fieldIndex, node: node)
        switch length {
        case .fixed(let count):
            return count
        case .uniform(let lower, let upper):
            return lower + Int(h1 % UInt64(upper - lower + 1))
        case .choice(let options):
            let draw = h1 >> 11
            let thresholds = choiceThresholds(options)
            for (index, threshold) in thresholds.enumerated() where draw < threshold { return options[index].length }
            return options[options.count - 1].length
        case .lognormal(let median, let sigma, let max):
            let u1 = (Double(h1 >> 11) + 1) * 0x1p-53
            let u2 = Double(secondHash(h1) >> 11) * 0x1p-53
            let z = (-2 * cLog(u1)).squareRoot() * cCos((2 * Double.pi) * u2)
            let value = (median * cExp(sigma * z) + 0.5).rounded(.down)
            return value >= Double(max) ? max : Int(value)
        }
    }

    /// The letter (0 = `a`) the text or bytes of field `fieldIndex` of node `node` start at.
    public static func contentOffset(seed: UInt64, fieldIndex: Int, node: Int) -> Int {
        Int(firstHash(seed: seed, fieldIndex: fieldIndex, node: node) % 26)
    }
}

// The C library's functions by name, so the Python worker (whose math module calls the same ones) draws the same.
private func cLog(_ x: Double) -> Double { Glibc.log(x) }
private func cCos(_ x: Double) -> Double { Glibc.cos(x) }
private func cExp(_ x: Double) -> Double { Glibc.exp(x) }
