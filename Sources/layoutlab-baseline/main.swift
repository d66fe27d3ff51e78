#if canImport(Glibc)
import Glibc
#endif

// The yardstick for the lab's allocate timings: the loop a person would write to build N two-field points,
// with no harness, no checkpoints and no generated code. Prints ns per node for `final-class`.
//
//   layoutlab-baseline NODES [REPETITIONS]
//
// Run it under the same allocator as the trial it is compared with (LD_PRELOAD=...libjemalloc.so.2).

final class Point {
    var x: Int64
    var y: Int64
    init(x: Int64, y: Int64) {
        self.x = x
        self.y = y
    }
}

func nanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

@inline(never)
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
    let start = nanoseconds()
    let points = buildPoints(count)
    let elapsed = nanoseconds() - start
    print("repetition \(repetition): \(Double(elapsed) / Double(count)) ns/node (\(points.count) final-class points)")
}
