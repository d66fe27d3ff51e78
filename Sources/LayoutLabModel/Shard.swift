
/// The K-th of N disjoint slices of an experiment's trials (1-based K), balanced by estimated cost. A
/// configuration's repetitions stay together on one shard (one machine), so that a merge never mixes hardware
/// inside one configuration's repetitions. Configurations are taken from the most to the least expensive (ties
/// by name) and each goes to the shard with the least estimated time so far (ties to the lowest shard). The
/// same file and N always give the same slices.
public struct Shard: Equatable, Sendable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `K/N`, 1 ≤ K ≤ N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else { return nil }
        self.init(index: parts[0], count: parts[1])
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's trials, in the plan's own (interleaved) order.
    public func trials(of experiment: Experiment) -> [Trial] {
        let plan = TrialPlan.trials(for: experiment)
        let mine = Set(Self.assignment(of: plan, shards: count, experiment: experiment).filter { $0.value == index }.keys)
        return plan.filter { mine.contains($0.id) }
    }

    /// Trial id → shard (1-based).
    static func assignment(of plan: [Trial], shards: Int, experiment: Experiment) -> [String: Int] {
        let configurations = Dictionary(grouping: plan, by: \.configuration)
        let costed = configurations.map { ($0.key, $0.value.reduce(0) { $0 + estimatedCost(of: $1, experiment: experiment) }) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var load = [Double](repeating: 0, count: shards)
        var assignment: [String: Int] = [:]
        for (configuration, cost) in costed {
            let lightest = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 } ?? 0
            load[lightest] += cost
            for trial in configurations[configuration] ?? [] { assignment[trial.id] = lightest + 1 }
        }
        return assignment
    }

    /// Seconds a trial is expected to take: nodes × a per-node cost by layout × the phases, plus the fixed
    /// cost of a worker. Only the ratios between trials matter.
    static func estimatedCost(of trial: Trial, experiment: Experiment) -> Double {
        let nsPerNode: Double = switch trial.layout {
        case .dictClass: 350
        case .openClass, .finalClass: 50
        case .structArray, .columns: 8
        default: 400
        }
        return 0.1 + Double(trial.nodes) * nsPerNode * Double(experiment.phases.count) * 1e-9
    }
}
