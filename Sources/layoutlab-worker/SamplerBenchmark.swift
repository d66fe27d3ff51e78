#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// `layoutlab-worker --calibrate-samplers RESIDENT_MIB REPETITIONS`: makes RESIDENT_MIB of memory resident,
/// then times each sampler REPETITIONS times (smaps_rollup a hundredth as often: it costs milliseconds), the
/// cost counters' pause and resume, and a whole checkpoint as the worker takes it during allocate
/// (`SamplerBenchmarkName.checkpoint`: `PhaseRecorder.checkpoint` itself, so counters paused, sample taken,
/// counters resumed), and counts the bytes jemalloc's `thread.allocated` sees a whole phase of checkpoints
/// allocate (counters included). Lines: `sampler\tNAME\tMEDIAN_NS\tP99_NS\tCOUNT`, `allocation\tBYTES`
/// (empty without jemalloc), `rss\tBYTES`.
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
        // The worker's own counters, as a trial opens them by default.
        let counters: CostCounters
        do throws(CostCounterError) {
            counters = try CostCounters(instructions: .hardware)
        } catch {
            throw WorkerFailure(error.description)
        }
        counters.warm()
        counters.beginPhase()
        counters.resume()
        lines.append(time(name: SamplerBenchmarkName.counters, repetitions: repetitions) {
            counters.pause()
            counters.resume()
        })
        counters.pause()
        _ = counters.endPhase(index: 0)
        // What the worker does at each checkpoint of allocate: the recorder's own callback, with the allocator
        // read at every checkpoint and smaps_rollup at none (it is read at the boundaries only).
        let timed = PhaseRecorder(
            sampler: sampler, counters: counters, smaps: .off, allocatorSchedule: .every, checkpoints: repetitions + 1,
            phases: 1, fault: nil)
        timed.begin(phase: 0, checkpoints: repetitions + 1)
        var nodes = 0
        lines.append(time(name: SamplerBenchmarkName.checkpoint, repetitions: repetitions) {
            nodes += 1
            timed.checkpoint(nodesAlive: nodes)
        })
        timed.checkpoint(nodesAlive: nodes + 1, last: true)
        timed.end()
        // Bytes allocated over a whole phase of 100 checkpoints, every sampler at each (smaps_rollup included),
        // from the phase's start (counters zeroed, /proc/stat read) to its end (counters summed, /proc/stat read).
        let checkpoints = 100
        let counted = PhaseRecorder(
            sampler: sampler, counters: counters, smaps: .every, allocatorSchedule: .every, checkpoints: checkpoints,
            phases: 1, fault: nil)
        var before: UInt64 = 0, after: UInt64 = 0
        if source == .jemalloc, ll_jemalloc_thread_allocated(&before) == 0 {
            counted.begin(phase: 0, checkpoints: checkpoints)
            for node in 1...checkpoints { counted.checkpoint(nodesAlive: node, last: node == checkpoints) }
            counted.end()
            _ = ll_jemalloc_thread_allocated(&after)
            lines.append(counted.failure == nil ? "allocation\t\(after - before)" : "allocation\t")
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
