#if canImport(Glibc)
import Glibc
#endif

// The yardstick for the lab's allocate timings: the loop a person would write to build N two-field points,
// with no harness, no checkpoints and no generated code. Prints ns and minor page faults per node for
// `final-class`:
//
//   layoutlab-baseline NODES [REPETITIONS]
//   repetition 1: 49.5 ns/node, 0.0103 minor faults/node (1000000 final-class points)
//
// Run it under the same allocator as the trial it is compared with (LD_PRELOAD=...libjemalloc.so.2).
// The loop is the C symbol `layoutlab_baseline_build_points`, so that an instruction counter can count it
// alone (`valgrind --tool=callgrind --collect-atstart=no --toggle-collect=layoutlab_baseline_build_points`).

final class Point {
    var x: Int64
    var y: Int64
    init(x: Int64, y: Int64) {
        self.x = x
        self.y = y
    }
}

/// Minor page faults of this process so far.
func minorFaults() -> Int {
    var usage = rusage()
    _ = getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_minflt
}

func nanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

@inline(never)
@_silgen_name("layoutlab_baseline_build_points")
func buildPoints(_ count: Int) -> ContiguousArray<Point> {
    var points = ContiguousArray<Point>()
    points.reserveCapacity(count)
    for i in 0..<count { points.append(Point(x: Int64(truncatingIfNeeded: i), y: Int64(truncatingIfNeeded: i &+ 1))) }
    return points
}

let arguments = CommandLine.arguments.dropFirst()
guard let count = arguments.first.flatMap({ Int($0) }), count > 0 else {
    let usage = "usage: layoutlab-baseline NODES [REPETITIONS]\n"
    _ = usage.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    exit(2)
}
// Each repetition runs in this same process after the previous one's nodes were freed, so only the first
// starts from fresh memory like a lab trial; report it apart from the rest.
let repetitions = arguments.dropFirst().first.flatMap { Int($0) } ?? 1
for repetition in 1...max(1, repetitions) {
    let faultsBefore = minorFaults()
    let start = nanoseconds()
    let points = buildPoints(count)
    let elapsed = nanoseconds() - start
    let faults = minorFaults() - faultsBefore
    print("repetition \(repetition): \(Double(elapsed) / Double(count)) ns/node, \(Double(faults) / Double(count)) minor faults/node (\(points.count) final-class points)")
}
