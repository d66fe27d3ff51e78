/// The search of `layoutlab bisect` over a series of builds 1 … N in order, build 1 known good: test build N
/// first (not bad: no build regresses, and the search ends); then halve the range between the last build known
/// good and the first known bad until they are neighbours, the bad one being the first build that regresses.
/// Every probe measures one build against build 1, so a build is "bad" or "good" by that one comparison, and
/// the search assumes what bisection always assumes: once bad, every later build is bad.
///
/// It tests at most `maximumProbes(buildCount:)` = 1 + ⌈log₂(N − 1)⌉ builds besides build 1 (N = 8: build 8
/// and 3 more, 5 distinct builds with build 1). Pure: `layoutlab bisect` asks `next`, runs the probe and
/// `record`s its verdict.
public struct BisectSearch: Sendable, Equatable {
    /// How many builds the series has (N ≥ 2).
    public let buildCount: Int
    /// The last build (1-based) known good: build 1 until a probe says otherwise.
    public private(set) var lastGood = 1
    /// The first build known bad; nil while none is.
    public private(set) var firstBad: Int?
    /// The builds tested, in the order they were (build 1, the baseline of every probe, is not among them).
    public private(set) var tested: [Int] = []

    public init(buildCount: Int) {
        precondition(buildCount >= 2, "a bisection needs a known good build and at least one more")
        self.buildCount = buildCount
    }

    /// The build to test next; nil when the search is over (`firstBad` is the answer, or nil: none regresses).
    public var next: Int? {
        guard let firstBad else { return tested.isEmpty ? buildCount : nil }
        return firstBad - lastGood > 1 ? lastGood + (firstBad - lastGood) / 2 : nil
    }

    /// Whether the search is over.
    public var isFinished: Bool { next == nil }

    /// Records the verdict of a probe of `build` (the one `next` named).
    public mutating func record(_ build: Int, bad: Bool) {
        precondition(build == next, "build \(build) is not the one the search asked for (\(next.map(String.init) ?? "none"))")
        tested.append(build)
        if bad { firstBad = build } else { lastGood = build }
    }

    /// The most probes a series of `buildCount` builds needs: build N, then ⌈log₂(N − 1)⌉ halvings.
    public static func maximumProbes(buildCount: Int) -> Int {
        var halvings = 0
        while 1 << halvings < buildCount - 1 { halvings += 1 }
        return 1 + halvings
    }
}
