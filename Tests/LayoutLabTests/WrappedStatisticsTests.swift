import CLayoutLabShims
import Testing

@testable import LayoutLabProtocol
@testable import LayoutLabSampling

/// An allocator figure beyond Int (mimalloc's summed per-thread commit wrapping below 0 after frees from other
/// threads) is an empty cell, never a trap that kills the trial: it did, for 5 of 180 threaded mimalloc trials.
@Suite("Allocator figures that wrapped")
struct WrappedStatisticsTests {
    @Test func aWrappedMimallocCommitIsEmpty() {
        let wrapped = ll_mimalloc_info(current_commit: UInt64.max - 4095, peak_commit: 1 << 30)
        #expect(AllocatorStatistics(mimalloc: wrapped).mappedBytes == nil)
        #expect(AllocatorStatistics(mimalloc: ll_mimalloc_info(current_commit: 65_536, peak_commit: 65_536)).mappedBytes == 65_536)
    }

    @Test func aJemallocOrTcmallocFigureBeyondIntIsEmpty() {
        var stats = ll_jemalloc_stats()
        stats.allocated = UInt64(Int.max) + 1
        stats.active = 4096
        let jemalloc = AllocatorStatistics(jemalloc: stats)
        #expect(jemalloc.allocatedBytes == nil && jemalloc.activeBytes == 4096)
        let tcmalloc = ll_tcmalloc_stats(
            current_allocated: UInt64(Int.max) + 1, heap_size: 8_192, pageheap_free: 0, pageheap_unmapped: 0, total_physical: 8_192)
        #expect(AllocatorStatistics(tcmalloc: tcmalloc).allocatedBytes == nil)
    }
}
