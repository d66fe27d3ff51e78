/// Names of the lines `layoutlab-worker --calibrate-samplers` prints and `layoutlab calibrate` reads.
public enum SamplerBenchmarkName {
    /// A whole checkpoint sample as the worker takes it during `allocate`: statm, status and the allocator's
    /// statistics (smaps_rollup only at the phase boundaries).
    public static let checkpoint = "checkpoint(statm+status+allocator)"
}
