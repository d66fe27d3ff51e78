/// When a sampler whose cost can grow runs: `smaps_rollup` (its cost grows with resident memory: milliseconds
/// at hundreds of MiB, against microseconds for `statm`) and the allocator's statistics (glibc's `mallinfo2`
/// walks every free chunk: seconds per call with millions of them).
package enum SamplingSchedule: String, Sendable, CaseIterable {
    /// At the first and last checkpoint of each phase (the default).
    case boundaries
    /// At every checkpoint.
    case every
    /// Never.
    case off

    /// Whether checkpoint `index` of `count` (0 is the baseline) reads `smaps_rollup`.
    package func includes(checkpoint index: Int, of count: Int) -> Bool {
        switch self {
        case .every: true
        case .off: false
        case .boundaries: index == 0 || index == count - 1
        }
    }
}
