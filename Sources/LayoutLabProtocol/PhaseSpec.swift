/// One phase of a trial's workload, after `allocate` built every node.
package struct PhaseSpec: Equatable, Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable, CaseIterable {
        /// Build all N nodes (always the first phase).
        case allocate
        /// Read every field of every node, in `order`.
        case traverse
        /// Write every field of every node (references excepted), in `order`.
        case mutate
        /// Release every other node (odd indices).
        case freeHalf = "free-half"
        /// Allocate the odd-indexed nodes again.
        case reallocate
        /// For `rounds` rounds, replace a `fraction` of the nodes, chosen by the seeded permutation.
        case churn
        /// Release every node and the container.
        case freeAll = "free-all"
        /// Ask the allocator to give free memory back to the system.
        case purge
        /// After `free-all`: build all N nodes and the container again with the allocate entry point, on
        /// memory the process already faulted in (as far as the allocator kept it): allocation on warm memory.
        case allocateWarm = "allocate-warm"
        /// With T threads: every node is freed by another thread than the one that built it (thread i frees
        /// what thread (i + 1) mod T built), then the container. Needs `threads`.
        case remoteFree = "remote-free"
        /// Fork `children` processes after the nodes are built; each does `work` on every node (in `order`), then
        /// reads its own `/proc/self/smaps_rollup` and reports; the parent waits for all of them.
        case fork
        /// Sleep `seconds`, sampling on a time schedule (the checkpoints spread over the time): what the allocator
        /// gives back to the system by itself while the program does nothing.
        case idle

        /// The code the generated phase entry point switches on; nil for phases the worker runs itself.
        package var generatedCode: Int? {
            switch self {
            case .traverse: 1
            case .mutate: 2
            case .freeHalf: 3
            case .reallocate: 4
            case .churn: 5
            case .freeAll: 6
            case .allocate, .allocateWarm, .purge, .remoteFree, .fork, .idle: nil
            }
        }

        /// Whether the phase frees every node (nothing is alive after it).
        package var freesEveryNode: Bool { self == .freeAll || self == .remoteFree }
    }

    /// What each forked child does to the nodes before it reads its own memory figures.
    package enum ForkWork: String, Sendable, CaseIterable {
        /// Read every field of every node (what a pool worker that only reads shared data does).
        case traverse
        /// Write every field of every node (references excepted).
        case mutate
        /// Nothing: the cost of a forked process that does not touch the nodes.
        case none
    }

    /// The order `traverse` and `mutate` visit nodes in.
    package enum Order: String, Sendable, CaseIterable {
        case sequential
        /// A seeded random permutation (Fisher–Yates with SplitMix64), built before the allocate baseline.
        case random
    }

    package var kind: Kind
    package var order: Order
    package var rounds: Int
    package var fraction: Double
    /// `fork`: how many children, and what each does.
    package var children: Int
    package var work: ForkWork
    /// `idle`: how long the worker sleeps, in seconds.
    package var seconds: Double

    package static let defaultChildren = 2
    package static let defaultIdleSeconds = 10.0
    package static let maximumIdleSeconds = 3600.0
    package static let maximumChildren = 64

    package init(
        _ kind: Kind, order: Order = .sequential, rounds: Int = 5, fraction: Double = 0.1, children: Int = PhaseSpec.defaultChildren,
        work: ForkWork = .traverse, seconds: Double = PhaseSpec.defaultIdleSeconds
    ) {
        self.seconds = seconds
        self.kind = kind
        self.order = order
        self.rounds = rounds
        self.fraction = fraction
        self.children = children
        self.work = work
    }

    /// Whether the phase needs the random permutation.
    package var needsPermutation: Bool { order == .random || kind == .churn }

    /// Whether the phase visits nodes in `order` (and the order is part of its description).
    package var hasOrder: Bool { kind == .traverse || kind == .mutate || kind == .fork }

    /// Nodes the phase processes for a trial of `nodes` nodes: its work items, and what `ns_per_node` divides by.
    package func nodesProcessed(of nodes: Int) -> Int {
        switch kind {
        case .allocate, .allocateWarm, .traverse, .mutate, .freeAll, .purge, .remoteFree: nodes
        case .freeHalf, .reallocate: nodes / 2
        case .churn: rounds * Int((fraction * Double(nodes)).rounded())
        case .fork: work == .none ? 0 : nodes
        case .idle: 0
        }
    }

    /// `traverse:random`, `churn:5:0.1`, `free-half`, `fork:4:traverse:sequential`, `idle:20.0`: the form the worker
    /// protocol carries.
    package var description: String {
        switch kind {
        case .traverse, .mutate: "\(kind.rawValue):\(order.rawValue)"
        case .churn: "\(kind.rawValue):\(rounds):\(fraction)"
        case .fork: "\(kind.rawValue):\(children):\(work.rawValue):\(order.rawValue)"
        case .idle: "\(kind.rawValue):\(seconds)"
        default: kind.rawValue
        }
    }

    /// Parses `description`.
    package init?(_ text: String) {
        let parts = text.split(separator: ":").map(String.init)
        guard let kind = parts.first.flatMap(Kind.init(rawValue:)) else { return nil }
        switch (kind, parts.count) {
        case (.traverse, 2), (.mutate, 2):
            guard let order = Order(rawValue: parts[1]) else { return nil }
            self.init(kind, order: order)
        case (.churn, 3):
            guard let rounds = Int(parts[1]), let fraction = Double(parts[2]) else { return nil }
            self.init(kind, rounds: rounds, fraction: fraction)
        case (.fork, 4):
            guard let children = Int(parts[1]), (1...Self.maximumChildren).contains(children), let work = ForkWork(rawValue: parts[2]),
                let order = Order(rawValue: parts[3])
            else { return nil }
            self.init(kind, order: order, children: children, work: work)
        case (.idle, 2):
            guard let seconds = Double(parts[1]), seconds > 0, seconds <= Self.maximumIdleSeconds else { return nil }
            self.init(kind, seconds: seconds)
        case (_, 1) where kind != .traverse && kind != .mutate && kind != .churn && kind != .fork && kind != .idle:
            self.init(kind)
        default:
            return nil
        }
    }
}

/// What a worker reports of one phase besides its samples.
package struct PhaseOutcome: Equatable, Sendable {
    package var index: Int
    package var spec: PhaseSpec
    /// Sum of every field read (traverse), printed so the compiler cannot drop the reads.
    package var checksum: Int
    /// Nodes alive at the end of the phase.
    package var liveNodes: Int
    /// False where the phase cannot apply: a value layout cannot free single nodes; an allocator without a
    /// purge entry point cannot purge.
    package var applicable: Bool

    package init(index: Int, spec: PhaseSpec, checksum: Int, liveNodes: Int, applicable: Bool) {
        self.index = index
        self.spec = spec
        self.checksum = checksum
        self.liveNodes = liveNodes
        self.applicable = applicable
    }
}
