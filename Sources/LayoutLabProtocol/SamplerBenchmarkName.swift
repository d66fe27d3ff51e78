/// Names of the lines `layoutlab-worker --calibrate-samplers` prints and `layoutlab calibrate` reads.
package enum SamplerBenchmarkName {
    /// A whole checkpoint as the worker takes it during `allocate`: the cost counters paused, a sample of
    /// statm, status and the allocator's statistics (smaps_rollup only at the phase boundaries), the counters
    /// resumed.
    package static let checkpoint = "checkpoint(counters+statm+status+allocator)"
    /// The cost counters' pause and resume around a sampling callback (thread rusage and CPU clock twice each,
    /// the hardware group twice where there is a PMU).
    package static let counters = "counters(pause+resume)"
}
