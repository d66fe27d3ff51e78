#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabSampling

/// `layoutlab-worker --calibrate-samplers RESIDENT_MIB REPETITIONS`: makes RESIDENT_MIB of memory resident,
/// then times each sampler REPETITIONS times (smaps_rollup a hundredth as often: it costs milliseconds) and a
/// whole checkpoint as the worker takes it during allocate (`SamplerBenchmarkName.checkpoint`), and counts the
/// bytes jemalloc's `thread.allocated` sees a whole sample allocate. Lines:
/// `sampler\tNAME\tMEDIAN_NS\tP99_NS\tCOUNT`, `allocation\tBYTES` (empty without jemalloc), `rss\tBYTES`.
enum SamplerBenchmark {
    static func run(residentMiB: Int, repetitions: Int) throws(WorkerFailure) -> [String] {
        let size = residentMiB << 20
        let ballast = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 4096), alignment: 4096)
        for offset in stride(from: 0, to: size, by: 4096) { ballast[offset] = 1 }
        let source: AllocatorStatisticsSource = ll_jemalloc_open() == 0 ? .jemalloc : .mallinfo2
        let sampler: MemorySampler
        do throws(ProcFileError) {
            sampler = try MemorySampler(allocatorSource: source)
        } catch {
            throw WorkerFailure("cannot open /proc: \(error)")
        }
        var lines: [String] = []
        lines.append(try ProcFileTimer(path: "/proc/self/statm", capacity: 512).line(name: "statm", repetitions: repetitions) {
            _ = StatmReading(parsing: $0, pageSizeBytes: 4096)
        })
        lines.append(try ProcFileTimer(path: "/proc/self/status", capacity: 8192).line(name: "status", repetitions: repetitions) {
            _ = StatusReading(parsing: $0)
        })
        lines.append(try ProcFileTimer(path: "/proc/self/smaps_rollup", capacity: 8192).line(
            name: "smaps_rollup", repetitions: max(1, repetitions / 100)) { _ = SmapsRollupReading(parsing: $0) })
        lines.append(time(name: "allocator(\(source.rawValue))", repetitions: repetitions) { _ = try? source.read() })
        // What the worker does at each checkpoint of allocate (smaps_rollup only at its boundaries).
        lines.append(time(name: SamplerBenchmarkName.checkpoint, repetitions: repetitions) {
            _ = try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: false, includeAllocator: true)
        })
        // Bytes allocated while taking whole samples (every sampler), by jemalloc's per-thread counter.
        var before: UInt64 = 0, after: UInt64 = 0
        if source == .jemalloc, ll_jemalloc_thread_allocated(&before) == 0 {
            for _ in 0..<100 { _ = try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true) }
            _ = ll_jemalloc_thread_allocated(&after)
            lines.append("allocation\t\(after - before)")
        } else {
            lines.append("allocation\t")
        }
        let rss = (try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: false))?.rssBytes
        lines.append("rss\t\(rss.map(String.init) ?? "")")
        ballast.deallocate()
        return lines
    }

    static func time(name: String, repetitions: Int, _ body: () -> Void) -> String {
        var costs = [Int](repeating: 0, count: repetitions)
        for index in 0..<repetitions {
            let start = MonotonicClock.nowNanoseconds()
            body()
            costs[index] = MonotonicClock.nowNanoseconds() - start
        }
        costs.sort()
        return "sampler\t\(name)\t\(costs[repetitions / 2])\t\(costs[min(repetitions - 1, repetitions * 99 / 100)])\t\(repetitions)"
    }
}

/// Times reading and parsing one /proc file as the sampler does.
struct ProcFileTimer {
    let path: String
    let capacity: Int

    init(path: String, capacity: Int) {
        self.path = path
        self.capacity = capacity
    }

    /// Times reading the file and running `parse` (the sampler's own parser) on it.
    func line(name: String, repetitions: Int, parse: (UnsafeRawBufferPointer) -> Void) throws(WorkerFailure) -> String {
        let file: ProcFile
        do throws(ProcFileError) {
            file = try ProcFile(path: path, capacityBytes: capacity)
        } catch {
            throw WorkerFailure("cannot open \(path): \(error)")
        }
        return SamplerBenchmark.time(name: name, repetitions: repetitions) {
            _ = try? file.withContents(parse)
        }
    }
}
