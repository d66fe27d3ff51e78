/// What one phase cost besides time, counted over the same stretches as its `elapsedNs` (from the phase's
/// start to its last checkpoint, less every sampling callback) unless a field says otherwise. Nil where the
/// counter could not be read: never a made-up 0.
package struct PhaseCounters: Equatable, Sendable {
    /// The worker thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), user and kernel, in ns.
    package var cpuNs: Int?
    /// Page faults of the worker thread (`getrusage(RUSAGE_THREAD)`): served from memory (a fresh page
    /// being zeroed counts here) and needing I/O.
    package var minorFaults: Int?
    package var majorFaults: Int?
    /// Context switches of the worker thread: it waited (voluntary) or was preempted (involuntary).
    package var voluntarySwitches: Int?
    package var involuntarySwitches: Int?
    /// Machine-wide, over the whole phase including its sampling (from `begin` to `end` of the phase), from the
    /// `cpu` line of `/proc/stat` (clock ticks, 10 ms at USER_HZ 100, converted to ns): time the hypervisor
    /// gave this machine's CPUs to others (steal), in ns.
    package var stealNs: Int?
    /// Machine-wide, over the same interval: busy time of all CPUs (user + nice + system + irq + softirq)
    /// less this process's own CPU time (`CLOCK_PROCESS_CPUTIME_ID`, with that of the children a `fork` phase reaped), in ns. What others ran beside the
    /// worker; one tick of resolution per CPU, so a short phase can show a small negative figure.
    package var neighbourCPUNs: Int?
    /// Wall time (`CLOCK_MONOTONIC`) from the phase's start to its end, sampling included: the interval that
    /// `stealNs` and `neighbourCPUNs` cover, in ns. Longer than `elapsedNs` by the sampling callbacks, and under
    /// load by every preemption that fell inside one (1.2–4.9× on allocate with two busy loops on two cores).
    package var intervalNs: Int?
    /// User-space hardware events of the worker thread (`perf_event_open`), or, for `instructions`, callgrind's
    /// count in an instrumented run; nil without a PMU or when the kernel multiplexed the counters.
    package var instructions: Int?
    package var cycles: Int?
    /// Last-level cache misses (`PERF_COUNT_HW_CACHE_MISSES`) and data-TLB read misses.
    package var cacheMisses: Int?
    package var dtlbMisses: Int?

    package init(
        cpuNs: Int? = nil, minorFaults: Int? = nil, majorFaults: Int? = nil, voluntarySwitches: Int? = nil,
        involuntarySwitches: Int? = nil, stealNs: Int? = nil, neighbourCPUNs: Int? = nil, instructions: Int? = nil,
        cycles: Int? = nil, cacheMisses: Int? = nil, dtlbMisses: Int? = nil, intervalNs: Int? = nil
    ) {
        self.cpuNs = cpuNs
        self.minorFaults = minorFaults
        self.majorFaults = majorFaults
        self.voluntarySwitches = voluntarySwitches
        self.involuntarySwitches = involuntarySwitches
        self.stealNs = stealNs
        self.neighbourCPUNs = neighbourCPUNs
        self.instructions = instructions
        self.cycles = cycles
        self.cacheMisses = cacheMisses
        self.dtlbMisses = dtlbMisses
        self.intervalNs = intervalNs
    }

    /// The fields in the order the worker protocol carries them (and the Python worker writes them).
    package var fields: [Int?] {
        [cpuNs, minorFaults, majorFaults, voluntarySwitches, involuntarySwitches, stealNs, neighbourCPUNs,
         instructions, cycles, cacheMisses, dtlbMisses, intervalNs]
    }

    /// Rebuilds counters from `fields`; nil unless there are exactly 12.
    package init?(fields: [Int?]) {
        guard fields.count == 12 else { return nil }
        self.init(
            cpuNs: fields[0], minorFaults: fields[1], majorFaults: fields[2], voluntarySwitches: fields[3],
            involuntarySwitches: fields[4], stealNs: fields[5], neighbourCPUNs: fields[6], instructions: fields[7],
            cycles: fields[8], cacheMisses: fields[9], dtlbMisses: fields[10], intervalNs: fields[11])
    }
}
