import LayoutLabProtocol

/// One row of `samples.csv`: a memory sample of one phase of one trial.
public struct SampleRow: Equatable, Sendable {
    public var trialID: String
    /// The phase's position in the experiment's list (0: allocate).
    public var phaseIndex: Int
    /// The phase's kind (`PhaseSpec.Kind` raw value); `?` for an index outside the experiment's list.
    public var phase: String
    package var sample: MemorySample

    package init(trialID: String, phaseIndex: Int, phase: String, sample: MemorySample) {
        self.trialID = trialID
        self.phaseIndex = phaseIndex
        self.phase = phase
        self.sample = sample
    }

    /// What a reader fills in: every figure nil.
    package static let blank = SampleRow(trialID: "", phaseIndex: 0, phase: "", sample: MemorySample(nodesAlive: 0, elapsedNs: 0))

    /// A trial's samples; `phases` names the phases by index (the experiment's list). A program trial's are the
    /// monitor's and the allocator agent's (`agentSamples`), in time order.
    package static func rows(of result: TrialResult, phases: [PhaseSpec]) -> [SampleRow] {
        let samples = result.agent.map { agentSamples($0, mergedInto: result.phaseSamples) } ?? result.phaseSamples
        return samples.map { entry in
            // A program trial has one phase, the program's run (the worker's phase 0).
            let name = result.trial.program != nil ? "run" : entry.phaseIndex < phases.count ? phases[entry.phaseIndex].kind.rawValue : "?"
            return SampleRow(trialID: result.trial.id, phaseIndex: entry.phaseIndex, phase: name, sample: entry.sample)
        }
    }

    /// The agent's readings of the allocator (each timer tick and the exit) as samples of the program's phase beside
    /// the monitor's `samples`: on the same clock (the agent's epoch is the monitor's start of the program), with
    /// allocator figures only, `sample_ns` the agent's read, `nodes_alive` the processes at the monitor's last scan
    /// before (1 before any). In time order, a monitor sample first where both fall on one nanosecond. A reading
    /// without `sample_ns` (an agent that did not time it) is left out rather than given a made-up cost.
    package static func agentSamples(_ report: AgentReport, mergedInto samples: [PhaseSample]) -> [PhaseSample] {
        var merged: [PhaseSample] = []
        merged.reserveCapacity(samples.count + report.statistics.count)
        var monitor = samples[...]
        var processes = 1
        for reading in report.statistics {
            guard let sampleNs = reading.sampleNs else { continue }
            while let next = monitor.first, next.sample.elapsedNs <= reading.elapsedNs {
                processes = next.sample.nodesAlive
                merged.append(next)
                monitor.removeFirst()
            }
            let sample = MemorySample(nodesAlive: processes, elapsedNs: reading.elapsedNs, allocator: reading.statistics, sampleNs: sampleNs)
            merged.append(PhaseSample(phaseIndex: 0, sample: sample))
        }
        return merged + monitor
    }
}
