import Foundation
import Testing

/// The census allocator of the remote-free tests (Fixtures/thread_census.c, built at test time and preloaded): it
/// records the allocating thread of every block of `LL_CENSUS_SIZE` bytes and counts, at exit, the frees on that
/// same thread and on another, into `<LL_THREAD_CENSUS>.<pid>` (`same N`, `cross N`).
enum ThreadCensus {
    /// Compiles the census library into `directory`.
    static func build(in directory: URL) throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/thread_census", withExtension: "c"))
        let library = directory.appendingPathComponent("libthreadcensus.so")
        let build = try TestSupport.runTool("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O2", source.path, "-o", library.path])
        try #require(build.status == 0, "cc failed: \(build.stderr)")
        return library
    }

    /// The counts of the census files in `folder`: each process the preload reaches writes its own (a pyenv shim's
    /// shell, say), and the worker's is the one with the most frees.
    static func counts(in folder: URL) throws -> (same: Int, cross: Int) {
        var best = (same: 0, cross: 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasPrefix("census.") {
            var counts: [String: Int] = [:]
            for line in try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2 { counts[String(parts[0])] = Int(parts[1]) }
            }
            let seen = (same: counts["same"] ?? 0, cross: counts["cross"] ?? 0)
            if seen.same + seen.cross > best.same + best.cross { best = seen }
        }
        return best
    }
}
