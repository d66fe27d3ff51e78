#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabSampling

/// Proves which allocator serves `malloc` in this process before anything is measured: the shared object
/// `malloc` resolves to must be the expected one, and under jemalloc a fresh allocation must belong to it.
enum MallocProviderCheck {
    /// Returns the provider's real path and the allocator's version, or throws with both paths named.
    static func verify(expected: String, statistics: AllocatorStatisticsSource) throws(WorkerFailure)
        -> (provider: String, version: String?)
    {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard ll_malloc_provider(&buffer, buffer.count) == 0 else {
            throw WorkerFailure("cannot tell which shared object provides malloc (dladdr failed)")
        }
        let provider = realPath(String(nulTerminated: buffer))
        guard provider == realPath(expected) else {
            throw WorkerFailure(
                "malloc is served by \(provider), not by the requested \(expected); was the library preloaded?")
        }
        switch statistics {
        case .jemalloc:
            guard ll_jemalloc_open() == 0 else {
                throw WorkerFailure("malloc comes from \(provider) but jemalloc's mallctl cannot be found")
            }
            let probe = malloc(64)
            defer { free(probe) }
            guard ll_jemalloc_owns(probe) == 1 else {
                throw WorkerFailure("a fresh malloc(64) does not belong to jemalloc (arenas.lookup refused it)")
            }
            var version = [CChar](repeating: 0, count: 256)
            return (provider, ll_jemalloc_version(&version, version.count) == 0 ? String(nulTerminated: version) : nil)
        case .mallinfo2:
            return (provider, String(validatingCString: ll_glibc_version()))
        case .none:
            return (provider, nil)
        }
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
