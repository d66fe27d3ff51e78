import Foundation
import LayoutLabProtocol

/// One row of `trials.csv`: a trial, how it ended and its per-node figures. Built from a worker's result,
/// or read back from an earlier `trials.csv` when a run is resumed.
public struct TrialRecord: Sendable {
    public var trial: Trial
    public var status: TrialStatus
    public var metrics: TrialMetrics
    public var sampleCount: Int
    /// Where `allocate_instructions_per_node` and the phases' `instructions` came from.
    package var instructionsSource: InstructionSource?
    public var probeNodes: Int?
    /// Node allocations of the probe that fell in no size bin (its table of distinct requested sizes was full,
    /// `AllocationProbe.maximumDistinctSizes`): in the per-node figures, not in `allocation-sizes.csv`; nil
    /// without a probe.
    public var probeUnbinnedAllocations: Int?
    /// A Python worker's interpreter ran with the GIL (false: a free-threaded build without it); nil for Swift.
    public var pythonGILEnabled: Bool?
    /// A Python worker: RSS at its first line, before the lab imported anything (what an interpreter costs), bytes.
    public var processStartRSSBytes: Int?
    public var mallocProvider: String?
    public var allocatorVersion: String?
    /// Wall time from spawning the worker to its exit, in ns; nil for a trial that never started.
    public var wallNs: Int?
    public var message: String?
    /// The machine the trial ran on.
    public var host: String?
    /// With a `precision` target: whether the trial's configuration reached it (false: it stopped at the cap,
    /// or the metric was not measured), and the relative half-width it ended with; nil while undecided.
    public var precisionReached: Bool?
    public var precisionRelativeHalfWidth: Double?
    /// Which run of the trial this row is (1: the first); in `trials.csv` also how many runs it took, since only
    /// the last is recorded there and the disturbed ones before it go to `disturbed-attempts/`.
    public var attempt = 1
    /// Whether the recorded run was disturbed, and why (`TrialDisturbance`); nil: not judged or not measured.
    public var disturbed: Bool?
    public var disturbance: String?

    /// `metrics` are the result's (`TrialMetrics(result:)`), computed once by the caller, which also needs them
    /// for the trial's phases.
    public init(result: TrialResult, metrics: TrialMetrics) {
        trial = result.trial
        status = result.status
        self.metrics = metrics
        sampleCount = result.phaseSamples.count
        instructionsSource = result.instructionsSource
        probeNodes = result.probe?.probeNodes
        probeUnbinnedAllocations = result.probe?.unbinnedAllocations
        mallocProvider = result.mallocProvider
        allocatorVersion = result.allocatorVersion
        pythonGILEnabled = result.pythonGILEnabled
        processStartRSSBytes = result.processStartRSSBytes
        wallNs = result.status == .skipped ? nil : result.wallNs
        message = result.message
        host = ProcessInfo.processInfo.hostName
        attempt = result.attempt
        disturbed = result.disturbance?.disturbed
        disturbance = result.disturbance?.reason
    }

    package init(
        trial: Trial, status: TrialStatus, metrics: TrialMetrics = TrialMetrics(), sampleCount: Int = 0,
        probeNodes: Int? = nil, mallocProvider: String? = nil, allocatorVersion: String? = nil, wallNs: Int? = nil,
        message: String? = nil, host: String? = nil, instructionsSource: InstructionSource? = nil
    ) {
        self.instructionsSource = instructionsSource
        self.host = host
        self.trial = trial
        self.status = status
        self.metrics = metrics
        self.sampleCount = sampleCount
        self.probeNodes = probeNodes
        self.mallocProvider = mallocProvider
        self.allocatorVersion = allocatorVersion
        self.wallNs = wallNs
        self.message = message
    }
}
