import CLayoutLabShims
import Testing

@testable import LayoutLabProtocol
@testable import LayoutLabSampling

@Suite("tcmalloc's metadata bytes: total_physical − heap_size + pageheap_unmapped")
struct TcmallocMetadataTests {
    /// The figures of a real gperftools 2.10 process (2 MiB of page-map leaf included): 2 490 368 bytes of
    /// metadata, as its `MallocExtension::GetStats` said.
    @Test func metadataIsPhysicalLessTheHeapItMapped() {
        let stats = ll_tcmalloc_stats(
            current_allocated: 10_000_000, heap_size: 12_582_912, pageheap_free: 1_000_000, pageheap_unmapped: 262_144,
            total_physical: 14_811_136)
        let figures = AllocatorStatistics(tcmalloc: stats)
        #expect(figures.metadataBytes == 2_490_368)
        #expect(figures.activeBytes == 12_582_912 - 1_000_000 - 262_144)
        #expect(figures.mappedBytes == 12_582_912)
    }

    /// A property tcmalloc refused leaves the metadata cell empty, never 0.
    @Test func aRefusedPropertyLeavesItEmpty() {
        let stats = ll_tcmalloc_stats(
            current_allocated: 1, heap_size: 8_192, pageheap_free: 0, pageheap_unmapped: 0, total_physical: UInt64.max)
        #expect(AllocatorStatistics(tcmalloc: stats).metadataBytes == nil)
    }
}
