#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// Proves which allocator serves `malloc` in this process before anything is measured: the shared object
/// `malloc` resolves to must be the expected one, and where the allocator can say so (jemalloc, mimalloc,
/// tcmalloc), a fresh allocation must belong to it.
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
        let probe = malloc(64)
        defer { free(probe) }
        if statistics.owns(probe) == false {
            throw WorkerFailure("a fresh malloc(64) does not belong to \(statistics.rawValue) (its ownership query refused it)")
        }
        do throws(AllocatorStatisticsError) {
            _ = try statistics.read()
        } catch {
            throw WorkerFailure("malloc comes from \(provider) but its \(statistics.rawValue) statistics cannot be read: \(error)")
        }
        return (provider, statistics.version())
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
