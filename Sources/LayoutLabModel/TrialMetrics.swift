import LayoutLabProtocol

/// The per-node figures of one trial, derived from its samples and probe; nil where an input is missing.
///
/// - `allocateNsPerNode`: the phase's own time at the last checkpoint (sampling excluded) ÷ nodes.
/// - `rssBytesPerNode`: (RSS at the last checkpoint − RSS at the baseline) ÷ nodes; the baseline is taken
///   before the container is reserved, so the reference array's touched pages are included.
/// - `rssAnonBytesPerNode`: the same difference of `RssAnon` (`/proc/self/status`), the anonymous part of RSS,
///   where every heap block lives: it leaves out file-backed pages (code, unwind tables) that the phase's code
///   paths fault in once, such as gperftools tcmalloc's backtrace of each heap growth reading the unwind
///   tables of the libraries on the stack (bench/FINDINGS-tcmalloc.md).
/// - `allocator{Allocated,Active}BytesPerNode`: the same difference of the allocator's own figures.
/// - `requestedBytesPerNode`: bytes passed to `swift_allocObject` per node in the probe (instance size with
///   its 16-byte header, dictionary storage for `dict-class`, array bytes for value layouts).
/// - `usableBytesPerNode`: `malloc_usable_size` of those allocations per node.
/// - `heapAllocationsPerNode`: the probe's node allocations ÷ probe nodes (heap blocks one node costs: 1 for a
///   final class of scalars, + 1 per string stored out of line and per non-empty array; struct-array and columns:
///   their arrays' blocks shared by all nodes, near 0).
/// - `object{Requested,Usable}BytesPerNode`: the part of those allocations whose metadata is the layout's node
///   class (the node's own object: header, fields, padding), per node; 0 for value layouts, which have no object.
/// - `outOfLine{Requested,Usable}BytesPerNode`: the rest (string, array and dictionary storage, and the value
///   layouts' arrays), per node. Object + out-of-line = requested (and usable).
/// - `containerBytesPerNode`: bytes requested for the array of references per node (0 for value layouts,
///   which keep nodes inline).
/// - `warmAllocateNsPerNode`, `warmAllocateRSSBytesPerNode`: the first `allocate-warm` phase's own time ÷ nodes,
///   and its RSS growth (last sample − its baseline) ÷ nodes: allocation on memory the process already faulted
///   in; nil where the experiment has no such phase.
/// - `allocate{CPUNs,MinorFaults,Instructions,Cycles}PerNode`: the allocate phase's counters (see
///   `PhaseCounters`: the same stretches as its time) ÷ nodes; `allocate{InvoluntarySwitches,StealNs,
///   NeighbourCPUNs}`: the phase's totals, what disturbed it.
public struct TrialMetrics: Equatable, Sendable {
    public var allocateNsPerNode: Double?
    public var allocateCPUNsPerNode: Double?
    public var allocateMinorFaultsPerNode: Double?
    public var allocateInstructionsPerNode: Double?
    public var allocateCyclesPerNode: Double?
    public var allocateInvoluntarySwitches: Int?
    public var allocateStealNs: Int?
    public var allocateNeighbourCPUNs: Int?
    public var rssBytesPerNode: Double?
    public var rssAnonBytesPerNode: Double?
    public var allocatorAllocatedBytesPerNode: Double?
    public var allocatorActiveBytesPerNode: Double?
    public var requestedBytesPerNode: Double?
    public var usableBytesPerNode: Double?
    public var containerBytesPerNode: Double?
    public var heapAllocationsPerNode: Double?
    public var objectRequestedBytesPerNode: Double?
    public var objectUsableBytesPerNode: Double?
    public var outOfLineRequestedBytesPerNode: Double?
    public var outOfLineUsableBytesPerNode: Double?
    public var baselineRSSBytes: Int?
    /// `VmHWM` (the process's resident high-water mark) at the end of the allocate phase, and at the end of
    /// the trial's last phase: the kernel's peak RSS of the worker up to those points, in bytes.
    public var peakRSSBytes: Int?
    public var trialPeakRSSBytes: Int?
    /// Python layouts: `sys.getsizeof` per node (object, its `__dict__`, its own field objects) and the bytes
    /// `tracemalloc` traced per node, both from the Python worker's probe; nil for Swift layouts.
    public var getsizeofBytesPerNode: Double?
    public var tracemallocBytesPerNode: Double?
    /// Time spent taking samples, in ns, and the fraction (0…1) of the allocate phase (sampling + work) it took.
    public var samplingNs: Int?
    public var samplingFraction: Double?
    public var warmAllocateNsPerNode: Double?
    public var warmAllocateRSSBytesPerNode: Double?
    /// Trace replays (`ReplayFigures`), nil for node trials: the trace's events; live requested and usable bytes
    /// (`malloc_usable_size` of each block, read by the replay right after the call) and RSS at the trace's peak of
    /// requested bytes; the replay's own time (sampling excluded) ÷ events; threads it ran on.
    public var events: Int?
    public var peakLiveRequestedBytes: Int?
    public var peakLiveUsableBytes: Int?
    public var rssAtPeakBytes: Int?
    public var replayNsPerEvent: Double?
    public var replayThreads: Int?
    /// Program trials (`ProgramFigures`), nil for other trials: the largest sampled RSS of the program and of its
    /// process tree; the most processes seen at once; its wall time (spawn to reap), user and system CPU time (ns) and
    /// page faults from `wait4`; its exit code (nil when a signal ended it). Their `peakRSSBytes` is `ru_maxrss` × 1024.
    public var sampledPeakRSSBytes: Int?
    public var sampledPeakTreeRSSBytes: Int?
    public var processes: Int?
    public var programWallNs: Int?
    public var userCPUNs: Int?
    public var systemCPUNs: Int?
    public var minorFaults: Int?
    public var majorFaults: Int?
    public var exitStatus: Int?
    /// Program trials with the allocator agent's report (`AgentReport`): the program's `VmHWM` at its exit, read by the
    /// program itself (bytes), and the allocator's own figures at exit (bytes, the `allocator_*` mapping of
    /// `AllocatorStatistics`); nil where the agent did not report (a program that died before exit) or the allocator
    /// lacks the figure.
    public var vmHWMAtExitBytes: Int?
    public var allocatorAllocatedBytesAtExit: Int?
    public var allocatorActiveBytesAtExit: Int?
    public var allocatorResidentBytesAtExit: Int?
    public var allocatorMetadataBytesAtExit: Int?
    public var allocatorMappedBytesAtExit: Int?
    public var allocatorRetainedBytesAtExit: Int?

    public init(
        allocateNsPerNode: Double? = nil, rssBytesPerNode: Double? = nil, allocatorAllocatedBytesPerNode: Double? = nil,
        allocatorActiveBytesPerNode: Double? = nil, requestedBytesPerNode: Double? = nil, usableBytesPerNode: Double? = nil,
        containerBytesPerNode: Double? = nil, baselineRSSBytes: Int? = nil, peakRSSBytes: Int? = nil,
        trialPeakRSSBytes: Int? = nil, samplingNs: Int? = nil, samplingFraction: Double? = nil,
        getsizeofBytesPerNode: Double? = nil, tracemallocBytesPerNode: Double? = nil,
        warmAllocateNsPerNode: Double? = nil, warmAllocateRSSBytesPerNode: Double? = nil,
        allocateCPUNsPerNode: Double? = nil, allocateMinorFaultsPerNode: Double? = nil,
        allocateInstructionsPerNode: Double? = nil, allocateCyclesPerNode: Double? = nil,
        allocateInvoluntarySwitches: Int? = nil, allocateStealNs: Int? = nil, allocateNeighbourCPUNs: Int? = nil,
        rssAnonBytesPerNode: Double? = nil
    ) {
        self.rssAnonBytesPerNode = rssAnonBytesPerNode
        self.warmAllocateNsPerNode = warmAllocateNsPerNode
        self.warmAllocateRSSBytesPerNode = warmAllocateRSSBytesPerNode
        self.allocateCPUNsPerNode = allocateCPUNsPerNode
        self.allocateMinorFaultsPerNode = allocateMinorFaultsPerNode
        self.allocateInstructionsPerNode = allocateInstructionsPerNode
        self.allocateCyclesPerNode = allocateCyclesPerNode
        self.allocateInvoluntarySwitches = allocateInvoluntarySwitches
        self.allocateStealNs = allocateStealNs
        self.allocateNeighbourCPUNs = allocateNeighbourCPUNs
        self.getsizeofBytesPerNode = getsizeofBytesPerNode
        self.tracemallocBytesPerNode = tracemallocBytesPerNode
        self.allocateNsPerNode = allocateNsPerNode
        self.rssBytesPerNode = rssBytesPerNode
        self.allocatorAllocatedBytesPerNode = allocatorAllocatedBytesPerNode
        self.allocatorActiveBytesPerNode = allocatorActiveBytesPerNode
        self.requestedBytesPerNode = requestedBytesPerNode
        self.usableBytesPerNode = usableBytesPerNode
        self.containerBytesPerNode = containerBytesPerNode
        self.baselineRSSBytes = baselineRSSBytes
        self.peakRSSBytes = peakRSSBytes
        self.trialPeakRSSBytes = trialPeakRSSBytes
        self.samplingNs = samplingNs
        self.samplingFraction = samplingFraction
    }

    public init(result: TrialResult) {
        let nodes = Double(result.trial.nodes)
        let first = result.samples.first
        let last = result.samples.last
        func perNode(_ value: (MemorySample) -> Int?) -> Double? {
            guard let first, let last, let start = value(first), let end = value(last), nodes > 0 else { return nil }
            return Double(end - start) / nodes
        }
        allocateNsPerNode = nodes > 0 ? last.map { Double($0.elapsedNs) / nodes } : nil
        if let counters = result.phaseCounters[0], nodes > 0 {
            allocateCPUNsPerNode = counters.cpuNs.map { Double($0) / nodes }
            allocateMinorFaultsPerNode = counters.minorFaults.map { Double($0) / nodes }
            allocateInstructionsPerNode = counters.instructions.map { Double($0) / nodes }
            allocateCyclesPerNode = counters.cycles.map { Double($0) / nodes }
            allocateInvoluntarySwitches = counters.involuntarySwitches
            allocateStealNs = counters.stealNs
            allocateNeighbourCPUNs = counters.neighbourCPUNs
        }
        rssBytesPerNode = perNode(\.rssBytes)
        rssAnonBytesPerNode = perNode(\.rssAnonBytes)
        allocatorAllocatedBytesPerNode = perNode(\.allocator.allocatedBytes)
        allocatorActiveBytesPerNode = perNode(\.allocator.activeBytes)
        if let probe = result.probe, probe.probeNodes > 0 {
            let probeNodes = Double(probe.probeNodes)
            requestedBytesPerNode = Double(probe.nodeRequestedBytes) / probeNodes
            usableBytesPerNode = Double(probe.nodeUsableBytes) / probeNodes
            containerBytesPerNode = Double(probe.containerRequestedBytes) / probeNodes
            heapAllocationsPerNode = Double(probe.nodeAllocations) / probeNodes
            objectRequestedBytesPerNode = Double(probe.nodeObjectRequestedBytes) / probeNodes
            objectUsableBytesPerNode = Double(probe.nodeObjectUsableBytes) / probeNodes
            outOfLineRequestedBytesPerNode = Double(probe.outOfLineRequestedBytes) / probeNodes
            outOfLineUsableBytesPerNode = Double(probe.outOfLineUsableBytes) / probeNodes
        }
        if let python = result.pythonProbe, python.nodes > 0 {
            getsizeofBytesPerNode = Double(python.getsizeofBytes) / Double(python.nodes)
            tracemallocBytesPerNode = python.tracemallocBytes.map { Double($0) / Double(python.nodes) }
            // What Python asked its allocator for: tracemalloc traces every allocation of the object allocators.
            requestedBytesPerNode = tracemallocBytesPerNode ?? getsizeofBytesPerNode
        }
        if let warm = result.outcomes.first(where: { $0.spec.kind == .allocateWarm }), nodes > 0 {
            let samples = result.phaseSamples.filter { $0.phaseIndex == warm.index }.map(\.sample)
            if let start = samples.first, let end = samples.last {
                warmAllocateNsPerNode = Double(end.elapsedNs) / nodes
                warmAllocateRSSBytesPerNode = start.rssBytes.flatMap { a in end.rssBytes.map { Double($0 - a) / nodes } }
            }
        }
        baselineRSSBytes = first?.rssBytes
        // VmHWM never falls, so the largest reading of a stretch is its peak; the allocate phase's is the
        // `peak_rss_bytes` every other allocate figure sits beside.
        peakRSSBytes = result.samples.compactMap(\.vmHWMBytes).max()
        trialPeakRSSBytes = result.phaseSamples.compactMap(\.sample.vmHWMBytes).max()
        if let replay = result.replay {
            events = replay.events
            peakLiveRequestedBytes = replay.peakLiveRequestedBytes
            peakLiveUsableBytes = replay.peakLiveUsableBytes
            rssAtPeakBytes = replay.rssAtPeakBytes
            replayNsPerEvent = replay.events > 0 ? last.map { Double($0.elapsedNs) / Double(replay.events) } : nil
            replayThreads = replay.replayThreads
        }
        if let last {
            let sampling = result.samples.reduce(0) { $0 + $1.sampleNs }
            samplingNs = sampling
            if last.elapsedNs + sampling > 0 { samplingFraction = Double(sampling) / Double(last.elapsedNs + sampling) }
        }
        if let program = result.program { apply(program) }
        if let agent = result.agent { apply(agent) }
    }
}

extension TrialMetrics {
    /// A program trial's figures. Its monitor samples from another process while the program runs, so its elapsed
    /// time includes sampling: the sampling fraction is the monitor's time spent sampling ÷ the program's wall time.
    mutating func apply(_ program: ProgramFigures) {
        peakRSSBytes = program.maxRSSBytes
        trialPeakRSSBytes = program.maxRSSBytes
        sampledPeakRSSBytes = program.sampledPeakRSSBytes
        sampledPeakTreeRSSBytes = program.sampledPeakTreeRSSBytes
        processes = program.processes
        programWallNs = program.wallNs
        userCPUNs = program.userCPUNs
        systemCPUNs = program.systemCPUNs
        minorFaults = program.minorFaults
        majorFaults = program.majorFaults
        exitStatus = program.exitCode
        samplingFraction = samplingNs.flatMap { program.wallNs > 0 ? Double($0) / Double(program.wallNs) : nil }
    }

    /// What the allocator agent reported at the program's exit.
    mutating func apply(_ agent: AgentReport) {
        vmHWMAtExitBytes = agent.vmHWMBytes
        let figures = agent.finalStatistics
        allocatorAllocatedBytesAtExit = figures?.allocatedBytes
        allocatorActiveBytesAtExit = figures?.activeBytes
        allocatorResidentBytesAtExit = figures?.residentBytes
        allocatorMetadataBytesAtExit = figures?.metadataBytes
        allocatorMappedBytesAtExit = figures?.mappedBytes
        allocatorRetainedBytesAtExit = figures?.retainedBytes
    }
}
