import CLayoutLabShims
import Foundation

/// The usable size the allocator serving this process gives a request of `bytes` bytes, measured by allocating
/// one block and asking `malloc_usable_size`; nil when the allocation fails.
package enum UsableSizeProbe {
    package static func usableBytes(forRequest bytes: Int) -> Int? {
        guard let block = malloc(max(bytes, 1)) else { return nil }
        defer { free(block) }
        return ll_malloc_usable_size(block)
    }
}
