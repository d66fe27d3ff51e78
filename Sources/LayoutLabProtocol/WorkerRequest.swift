/// What the runner asks one worker process to do: build `nodes` nodes of one layout (a generated entry
/// point for the Swift worker, a Python layout for the Python worker), sample at `checkpoints` evenly spaced node counts, then measure allocation sizes in a probe.
/// Travels as command-line arguments (`--key value`), so a test can build and parse it without a process.
package struct WorkerRequest: Equatable, Sendable {
    /// The trial's id, for messages and for targeted fault injection in tests.
    package var trialID: String
    /// Which layout the worker builds.
    package var layout: WorkerLayout
    package var nodes: Int
    /// Samples in the phase after the baseline.
    package var checkpoints: Int
    package var smaps: SamplingSchedule
    /// When the allocator's statistics are read in the phases after `allocate` (which reads them at every
    /// checkpoint unless this is `off`).
    package var allocatorSchedule: SamplingSchedule
    package var allocatorStatistics: AllocatorStatisticsSource
    /// The real path of the shared object that must provide `malloc`; anything else fails the trial.
    package var expectedMallocProvider: String
    /// Nodes built again, after the measured phases, with the Swift allocation counter on.
    package var probeNodes: Int
    /// The phases in order; the first is `allocate`.
    package var phases: [PhaseSpec]
    /// Seeds the random permutation of random-order and churn phases.
    package var seed: UInt64
    /// Which instruction counter the worker reads: the PMU, callgrind (it then runs under valgrind), or none.
    package var instructions: InstructionCounting
    /// 0: the classic trial, the worker's one thread works and samples between its own work items. T ≥ 1: a pool
    /// of T threads (started before the baseline) does every phase's work, each on its part of the nodes, while
    /// the main thread samples.
    package var threads: Int
    /// Python workers: call `gc.freeze()` just before a `fork` phase forks.
    package var pythonGCFreeze: Bool

    package init(
        trialID: String, layout: WorkerLayout, nodes: Int, checkpoints: Int, smaps: SamplingSchedule,
        allocatorSchedule: SamplingSchedule = .every,
        allocatorStatistics: AllocatorStatisticsSource, expectedMallocProvider: String, probeNodes: Int,
        phases: [PhaseSpec] = [PhaseSpec(.allocate)], seed: UInt64 = 1, instructions: InstructionCounting = .hardware,
        threads: Int = 0, pythonGCFreeze: Bool = false
    ) {
        self.threads = threads
        self.pythonGCFreeze = pythonGCFreeze
        self.trialID = trialID
        self.layout = layout
        self.nodes = nodes
        self.checkpoints = checkpoints
        self.smaps = smaps
        self.allocatorSchedule = allocatorSchedule
        self.allocatorStatistics = allocatorStatistics
        self.expectedMallocProvider = expectedMallocProvider
        self.probeNodes = probeNodes
        self.phases = phases
        self.seed = seed
        self.instructions = instructions
    }

    /// The worker's command-line arguments.
    package var arguments: [String] {
        let settings: [String] = [
            "--nodes", String(nodes), "--checkpoints", String(checkpoints), "--smaps", smaps.rawValue, "--allocator-schedule", allocatorSchedule.rawValue,
            "--allocator-statistics", allocatorStatistics.rawValue,
            "--expect-malloc-provider", expectedMallocProvider, "--probe-nodes", String(probeNodes),
            "--phases", phases.map(\.description).joined(separator: ","), "--seed", String(seed),
            "--instructions", instructions.rawValue, "--threads", String(threads), "--python-gc-freeze", pythonGCFreeze ? "1" : "0",
        ]
        return ["--trial-id", trialID] + layout.arguments + settings
    }

    /// Parses the arguments `arguments` produced; every key is required exactly once.
    package init(arguments: [String]) throws(WorkerProtocolError) {
        guard arguments.count % 2 == 0 else { throw .malformed("arguments come in `--key value` pairs") }
        var values: [String: String] = [:]
        for index in stride(from: 0, to: arguments.count, by: 2) {
            let key = arguments[index]
            guard key.hasPrefix("--"), values[key] == nil else { throw .malformed("unexpected or repeated \(key)") }
            values[key] = arguments[index + 1]
        }
        func string(_ key: String) throws(WorkerProtocolError) -> String {
            guard let value = values.removeValue(forKey: key) else { throw .malformed("missing \(key)") }
            return value
        }
        func count(_ key: String) throws(WorkerProtocolError) -> Int {
            let text = try string(key)
            guard let value = Int(text), value >= 0 else { throw .malformed("\(key) must be a count, got \(text)") }
            return value
        }
        trialID = try string("--trial-id")
        layout = try WorkerLayout(taking: &values)
        nodes = try count("--nodes")
        checkpoints = try count("--checkpoints")
        guard checkpoints >= 1 else { throw .malformed("--checkpoints must be at least 1") }
        let smapsText = try string("--smaps")
        guard let smaps = SamplingSchedule(rawValue: smapsText) else { throw .malformed("unknown --smaps \(smapsText)") }
        self.smaps = smaps
        let scheduleText = try string("--allocator-schedule")
        guard let allocatorSchedule = SamplingSchedule(rawValue: scheduleText) else {
            throw .malformed("unknown --allocator-schedule \(scheduleText)")
        }
        self.allocatorSchedule = allocatorSchedule
        let statisticsText = try string("--allocator-statistics")
        guard let statistics = AllocatorStatisticsSource(rawValue: statisticsText) else {
            throw .malformed("unknown --allocator-statistics \(statisticsText)")
        }
        allocatorStatistics = statistics
        expectedMallocProvider = try string("--expect-malloc-provider")
        probeNodes = try count("--probe-nodes")
        let phaseText = try string("--phases")
        var phases: [PhaseSpec] = []
        for part in phaseText.split(separator: ",") {
            guard let phase = PhaseSpec(String(part)) else { throw .malformed("unknown phase \(part)") }
            phases.append(phase)
        }
        guard phases.first?.kind == .allocate else { throw .malformed("--phases must start with allocate") }
        self.phases = phases
        let seedText = try string("--seed")
        guard let seed = UInt64(seedText) else { throw .malformed("--seed must be an unsigned integer, got \(seedText)") }
        self.seed = seed
        let instructionsText = try string("--instructions")
        guard let instructions = InstructionCounting(rawValue: instructionsText) else {
            throw .malformed("unknown --instructions \(instructionsText)")
        }
        self.instructions = instructions
        threads = try count("--threads")
        let freeze = try string("--python-gc-freeze")
        guard freeze == "0" || freeze == "1" else { throw .malformed("--python-gc-freeze must be 0 or 1, got \(freeze)") }
        pythonGCFreeze = freeze == "1"
        if let extra = values.keys.sorted().first { throw .malformed("unknown argument \(extra)") }
    }
}

/// A worker request or reply that does not follow the protocol.
package struct WorkerProtocolError: Error, CustomStringConvertible, Equatable {
    package let description: String
    package static func malformed(_ text: String) -> WorkerProtocolError { WorkerProtocolError(description: text) }
}
