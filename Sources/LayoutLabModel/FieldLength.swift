import Glibc

/// How many elements a `bytes`, `string` or `array` field holds in each node: bytes, ASCII characters or array
/// elements. A fixed count, or a distribution drawn per node by `NodeDraw` from the experiment's seed, the field's
/// position and the node's index, so every layout, allocator and worker (Swift or Python) sees the same lengths.
///
/// Written in the CSV's `fields` column and in the Python worker's request as `token`:
/// `40`, `uniform(8,40)`, `lognormal(20,0.6,400)`, `choice(8@0.7,120@0.3)`.
public enum FieldLength: Equatable, Hashable, Sendable {
    /// Every node has `count` elements.
    case fixed(Int)
    /// Uniform over `lower...upper` (both inclusive).
    case uniform(lower: Int, upper: Int)
    /// Log-normal with this median and shape `sigma`, rounded to the nearest integer and capped at `max`.
    case lognormal(median: Double, sigma: Double, max: Int)
    /// One of the lengths, each with its probability (the weights sum to 1).
    case choice([Weighted])

    /// A length and its probability in a `choice`.
    public struct Weighted: Equatable, Hashable, Sendable {
        public var length: Int
        public var weight: Double
        public init(length: Int, weight: Double) {
            self.length = length
            self.weight = weight
        }
    }

    /// The largest length a field may have (elements): 1 MiB of bytes or characters, 128 Ki array elements.
    public static func maximumLength(of type: FieldType) -> Int { type == .array ? 131_072 : 1_048_576 }

    /// The fixed count, or nil for a distribution.
    public var fixedCount: Int? { if case .fixed(let count) = self { count } else { nil } }

    /// The largest length a node can draw.
    public var largest: Int {
        switch self {
        case .fixed(let count): count
        case .uniform(_, let upper): upper
        case .lognormal(_, _, let max): max
        case .choice(let options): options.map(\.length).max() ?? 0
        }
    }

    /// The distribution's expected length (a log-normal's `median·exp(σ²/2)`, at most `max`), for estimates such
    /// as the memory preflight; never a measured figure.
    public var expectedLength: Double {
        switch self {
        case .fixed(let count): Double(count)
        case .uniform(let lower, let upper): Double(lower + upper) / 2
        case .lognormal(let median, let sigma, let max): Swift.min(Double(max), median * exponential(sigma * sigma / 2))
        case .choice(let options): options.reduce(0) { $0 + Double($1.length) * $1.weight }
        }
    }

    /// The form the CSV and the Python worker's request carry.
    public var token: String {
        switch self {
        case .fixed(let count): String(count)
        case .uniform(let lower, let upper): "uniform(\(lower),\(upper))"
        case .lognormal(let median, let sigma, let max): "lognormal(\(median),\(sigma),\(max))"
        case .choice(let options): "choice(\(options.map { "\($0.length)@\($0.weight)" }.joined(separator: ",")))"
        }
    }
}

private func exponential(_ x: Double) -> Double { Glibc.exp(x) }
