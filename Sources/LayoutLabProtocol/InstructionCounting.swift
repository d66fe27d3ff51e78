/// Where a trial's instruction counts come from: the experiment's `"instructions"` key, and the worker's
/// `--instructions` argument.
package enum InstructionCounting: String, Sendable, CaseIterable {
    /// The CPU's own counters (`perf_event_open`, user space only); empty cells where the machine has no PMU.
    case hardware
    /// A second run of each Swift trial under callgrind, collecting only inside the measured stretches:
    /// exact and repeatable. Time, bytes and the other counters come from the ordinary run.
    case valgrind
    /// No instruction counts; the thread and machine counters are still read.
    case off
}

/// Which counter an `instructions` figure came from (`instructions_source` in the tables).
package enum InstructionSource: String, Sendable, Equatable {
    /// The CPU's performance counters, in the trial's own run.
    case hardware
    /// Callgrind, in a second, instrumented run of the trial.
    case valgrind
}
