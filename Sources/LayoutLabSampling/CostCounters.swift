#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol

/// Counts what the measured stretches of a phase cost the worker thread: CPU time, page faults, context
/// switches and, where the machine has a PMU, user-space hardware events; under callgrind it switches
/// collection on for exactly those stretches and dumps the count at each phase's end. The recorder calls
/// `resume` where a stretch of work starts and `pause` where a sampling callback interrupts it, so the
/// counters leave sampling out the way `elapsedNs` does. The reads nest around the work, outermost first:
/// rusage, the thread's CPU clock, the hardware group, callgrind's collection, then the recorder's own
/// monotonic clock; so each counter's stretch holds only the reads inside it (CPU time: the hardware read,
/// about a microsecond per checkpoint where there is a PMU; instructions: a few dozen around the clock reads).
/// Everything is opened and allocated in `init`; the reads are system calls into fixed structs and allocate
/// nothing.
package final class CostCounters {
    package let instructions: InstructionCounting
    /// Why the hardware counters are not counting: `perf_event_open`'s errno (ENOENT: no PMU); nil when they
    /// count or were not asked for.
    package let hardwareError: Int32?
    private var hardware = ll_hardware_counters()
    private let hardwareOpen: Bool
    private let callgrind: Bool
    private let procStat: ProcFile?
    private let nsPerTick: Int

    private var start = Snapshot()
    private var totals = Totals()
    private var collecting = false
    private var machineStart = MachineSnapshot()

    /// Opens the counters `instructions` asks for. With `valgrind` the worker must run under callgrind.
    package init(instructions: InstructionCounting, procRoot: String = "/proc") throws(CostCounterError) {
        self.instructions = instructions
        switch instructions {
        case .hardware:
            let error = ll_hardware_counters_open(&hardware)
            hardwareOpen = error == 0
            hardwareError = error == 0 ? nil : error
            callgrind = false
        case .valgrind:
            let present = ll_callgrind_present()
            guard present == 1 else {
                throw CostCounterError(description: present < 0
                    ? "the worker was built without valgrind/callgrind.h (install the Debian package valgrind and rebuild)"
                    : "--instructions valgrind needs the worker to run under valgrind --tool=callgrind")
            }
            hardwareOpen = false
            hardwareError = nil
            callgrind = true
        case .off:
            hardwareOpen = false
            hardwareError = nil
            callgrind = false
        }
        // /proc/stat's machine-wide line is small; only its first line is read.
        procStat = try? ProcFile(path: procRoot + "/stat", capacityBytes: 1024)
        nsPerTick = 1_000_000_000 / max(1, sysconf(Int32(_SC_CLK_TCK)))
    }

    deinit {
        if hardwareOpen { ll_hardware_counters_close(&hardware) }
    }

    /// Reads every counter once outside any phase, so that the first phase does not pay for first use.
    package func warm() {
        _ = machine()
        var snapshot = Snapshot()
        snapshot.cpuNs = Self.clock(CLOCK_THREAD_CPUTIME_ID)
        snapshot.usageOK = ll_thread_usage_read(&snapshot.usage) == 0
        if hardwareOpen { snapshot.countsOK = ll_hardware_counters_read(&hardware, &snapshot.counts) == 0 }
    }

    /// Starts a phase: zeroes its totals and reads the machine-wide times its end is compared with.
    package func beginPhase() {
        totals = Totals()
        collecting = false
        if callgrind { ll_callgrind_zero_stats() }
        machineStart = machine()
    }

    /// A stretch of the phase's work starts now.
    @inline(__always)
    package func resume() {
        start.usageOK = ll_thread_usage_read(&start.usage) == 0
        start.cpuNs = Self.clock(CLOCK_THREAD_CPUTIME_ID)
        if hardwareOpen { start.countsOK = ll_hardware_counters_read(&hardware, &start.counts) == 0 }
        if callgrind, !collecting {
            ll_callgrind_toggle_collect()
            collecting = true
        }
    }

    /// The stretch that `resume` started ends now; its cost is added to the phase's unless `counted` is false
    /// (work after a phase's last checkpoint, which `elapsedNs` does not count either).
    @inline(__always)
    package func pause(counted: Bool = true) {
        if callgrind, collecting {
            ll_callgrind_toggle_collect()
            collecting = false
        }
        guard counted else { return }
        var now = Snapshot()
        if hardwareOpen { now.countsOK = ll_hardware_counters_read(&hardware, &now.counts) == 0 }
        now.cpuNs = Self.clock(CLOCK_THREAD_CPUTIME_ID)
        now.usageOK = ll_thread_usage_read(&now.usage) == 0
        totals.add(from: start, to: now, hardware: hardwareOpen)
    }

    /// Ends phase `index` (after its last `pause`: no stretch may be open) and returns its counts. Under callgrind the phase's count
    /// goes into a dump file described `layoutlab-phase-<index>`, which the runner reads; `instructions` is nil here.
    package func endPhase(index: Int) -> PhaseCounters {
        if callgrind { ll_callgrind_dump_phase(Int32(index)) }
        let end = machine()
        var counters = PhaseCounters()
        if totals.stretches > 0 {
            counters.cpuNs = totals.cpuNs
            if totals.usageOK {
                counters.minorFaults = totals.minorFaults
                counters.majorFaults = totals.majorFaults
                counters.voluntarySwitches = totals.voluntarySwitches
                counters.involuntarySwitches = totals.involuntarySwitches
            }
            // Multiplexed counters are the kernel's extrapolations, not counts: left empty.
            if hardwareOpen, totals.countsOK, totals.runningNs == totals.enabledNs {
                counters.instructions = totals.events.0
                counters.cycles = totals.events.1
                counters.cacheMisses = totals.events.2
                counters.dtlbMisses = totals.events.3
            }
        }
        counters.intervalNs = end.wallNs - machineStart.wallNs
        if let first = machineStart.stat, let last = end.stat {
            counters.stealNs = (last.stealTicks - first.stealTicks) * nsPerTick
            counters.neighbourCPUNs = (last.busyTicks - first.busyTicks) * nsPerTick - (end.processNs - machineStart.processNs)
        }
        return counters
    }

    private func machine() -> MachineSnapshot {
        let stat = try? procStat?.withLeadingContents { ProcStatReading(parsing: $0) }
        return MachineSnapshot(
            stat: stat ?? nil, processNs: Self.clock(CLOCK_PROCESS_CPUTIME_ID) + Self.reapedChildrenNs(), wallNs: MonotonicClock.nowNanoseconds())
    }

    /// CPU time of the children this process forked and reaped (a `fork` phase's), user and kernel, in ns: the
    /// worker's own work, never others' CPU.
    private static func reapedChildrenNs() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 else { return 0 }
        return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000_000 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1_000
    }

    @inline(__always)
    private static func clock(_ id: clockid_t) -> Int {
        var time = timespec()
        clock_gettime(id, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    private struct Snapshot {
        var cpuNs = 0
        var usage = ll_thread_usage()
        var usageOK = false
        var counts = ll_hardware_counts()
        var countsOK = false
    }

    private struct MachineSnapshot {
        var stat: ProcStatReading?
        var processNs = 0
        var wallNs = 0
    }

    /// Sums over a phase's stretches. A count that failed to read in any stretch makes the sum unusable.
    private struct Totals {
        var stretches = 0
        var cpuNs = 0
        var minorFaults = 0, majorFaults = 0, voluntarySwitches = 0, involuntarySwitches = 0
        var usageOK = true
        var events: (Int?, Int?, Int?, Int?) = (0, 0, 0, 0)
        var enabledNs = 0, runningNs = 0
        var countsOK = true

        mutating func add(from start: Snapshot, to end: Snapshot, hardware: Bool) {
            stretches += 1
            cpuNs += end.cpuNs - start.cpuNs
            if start.usageOK, end.usageOK {
                minorFaults += Int(end.usage.minor_faults - start.usage.minor_faults)
                majorFaults += Int(end.usage.major_faults - start.usage.major_faults)
                voluntarySwitches += Int(end.usage.voluntary_switches - start.usage.voluntary_switches)
                involuntarySwitches += Int(end.usage.involuntary_switches - start.usage.involuntary_switches)
            } else {
                usageOK = false
            }
            guard hardware else { return }
            guard start.countsOK, end.countsOK else {
                countsOK = false
                return
            }
            func delta(_ first: UInt64, _ last: UInt64, _ sum: Int?) -> Int? {
                guard let sum, first != UInt64.max, last != UInt64.max, last >= first else { return nil }
                return sum + Int(last - first)
            }
            events.0 = delta(start.counts.events.0, end.counts.events.0, events.0)
            events.1 = delta(start.counts.events.1, end.counts.events.1, events.1)
            events.2 = delta(start.counts.events.2, end.counts.events.2, events.2)
            events.3 = delta(start.counts.events.3, end.counts.events.3, events.3)
            enabledNs += Int(end.counts.enabled_ns - start.counts.enabled_ns)
            runningNs += Int(end.counts.running_ns - start.counts.running_ns)
        }
    }
}

/// The counters the experiment asks for cannot be opened; the trial fails rather than record empty counts
/// it was asked to make.
package struct CostCounterError: Error, CustomStringConvertible {
    package let description: String
}
