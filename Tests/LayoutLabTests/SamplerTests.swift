import Foundation
import Testing

@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabExperiments
@testable import LayoutLabHost
@testable import LayoutLabCalibration

@Suite("Samplers read the live process")
struct SamplerTests {
    /// Runs in a child process of its own (an exit test), so that no other test's allocations land in the
    /// RSS difference.
    @Test func rssGrowsBy64MiBWhenA64MiBBufferIsTouched() async throws {
        let result = try await #require(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let sampler = try MemorySampler(allocatorSource: .none)
            let size = 64 << 20
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
            let before = try sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true)
            // Write one byte per page so that every page becomes resident.
            for offset in stride(from: 0, to: size, by: 4096) { buffer[offset] = UInt8(truncatingIfNeeded: offset >> 12 | 1) }
            let after = try sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true)
            var failures: [String] = []
            func check(_ label: String, _ start: Int?, _ end: Int?) {
                guard let start, let end else { return failures.append("\(label) missing") }
                let error = abs(Double(end - start) - Double(size)) / Double(size)
                if error >= 0.03 { failures.append("\(label) grew by \(end - start) bytes, not \(size)") }
            }
            check("statm RSS", before.rssBytes, after.rssBytes)
            check("status RssAnon", before.rssAnonBytes, after.rssAnonBytes)
            check("smaps_rollup Rss", before.smapsRSSBytes, after.smapsRSSBytes)
            check("smaps_rollup Anonymous", before.anonymousBytes, after.anonymousBytes)
            if (after.vmHWMBytes ?? 0) < (after.rssBytes ?? .max) { failures.append("VmHWM below RSS") }
            if buffer[4096] != 1 { failures.append("buffer not written") }
            if !failures.isEmpty {
                FileHandle.standardError.write(Data(failures.joined(separator: "; ").utf8))
                exit(1)
            }
        }
        #expect(result.standardErrorContent.isEmpty)
    }

    /// The worker's sampler benchmark times and counts what a checkpoint really does: its own recorder's
    /// callback, the cost counters' pause and resume included; a phase of such checkpoints allocates nothing.
    @Test func aWholeCheckpointCountersIncludedAllocatesNothing() throws {
        let jemalloc = try SharedLibraryResolver().resolve("libjemalloc.so.2").get()
        let result = try TestSupport.runTool(
            TestSupport.buildDirectory.appendingPathComponent("layoutlab-worker").path, ["--calibrate-samplers", "1", "50"],
            environment: ["LD_PRELOAD": jemalloc])
        try #require(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        for name in [SamplerBenchmarkName.checkpoint, SamplerBenchmarkName.counters] {
            let line = try #require(lines.first { $0.count == 5 && $0[0] == "sampler" && $0[1] == name }, "no \(name) line in \(result.stdout)")
            #expect(Int(line[2]).map { $0 > 0 } == true && line[4] == "50", "\(line)")
        }
        #expect(lines.contains(["allocation", "0"]), "\(result.stdout)")
    }

    @Test func smapsOnlyWhenAsked() throws {
        let sampler = try MemorySampler(allocatorSource: .none)
        let sample = try sampler.take(nodesAlive: 3, elapsedNs: 7, includeSmaps: false)
        #expect(sample.pssBytes == nil)
        #expect(sample.rssBytes != nil)
        #expect(sample.allocator == AllocatorStatistics())
        #expect(sample.sampleNs > 0)
    }

    @Test func glibcStatisticsComeFromMallinfo2() throws {
        let statistics = try AllocatorStatisticsSource.mallinfo2.read()
        #expect(statistics.allocatedBytes != nil)
        #expect(statistics.mappedBytes != nil)
        #expect(statistics.activeBytes == nil, "glibc has no active figure: the cell must stay empty")
    }

    @Test func jemallocStatisticsFailWithoutJemalloc() {
        // The test process is not preloaded with jemalloc, so mallctl is absent: an error, never zeros.
        #expect(throws: AllocatorStatisticsError.self) { try AllocatorStatisticsSource.jemalloc.read() }
    }

    @Test func smapsPolicyBoundaries() {
        #expect(SamplingSchedule.boundaries.includes(checkpoint: 0, of: 101))
        #expect(!SamplingSchedule.boundaries.includes(checkpoint: 50, of: 101))
        #expect(SamplingSchedule.boundaries.includes(checkpoint: 100, of: 101))
        #expect(!SamplingSchedule.off.includes(checkpoint: 0, of: 101))
        #expect(SamplingSchedule.every.includes(checkpoint: 50, of: 101))
    }
}
