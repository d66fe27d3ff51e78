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

    /// A trial's samples; `phases` names the phases by index (the experiment's list).
    package static func rows(of result: TrialResult, phases: [PhaseSpec]) -> [SampleRow] {
        result.phaseSamples.map { entry in
            // A program trial has one phase, the program's run (the worker's phase 0).
            let name = result.trial.program != nil ? "run" : entry.phaseIndex < phases.count ? phases[entry.phaseIndex].kind.rawValue : "?"
            return SampleRow(trialID: result.trial.id, phaseIndex: entry.phaseIndex, phase: name, sample: entry.sample)
        }
    }
}
