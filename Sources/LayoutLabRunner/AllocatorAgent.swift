import Foundation
import LayoutLabCodegen
import LayoutLabProtocol

/// The allocator agent (`Agent/layoutlab_agent.c`): a small C library preloaded after the allocator into a
/// measured program, which reports the allocator's own figures (bytes, the worker's mapping) and the program's
/// VmHWM/VmRSS at its end, and on a timer if asked, as text lines to an inherited descriptor. `AgentReport`
/// reads what it wrote. Compiled into the lab's cache (`agent-<hash>/liblayoutlab_agent.so`) on first use.
package struct AllocatorAgent: Sendable {
    package var cacheDirectory: URL

    package init(cacheDirectory: URL = LayoutLibraryBuilder.defaultCacheDirectory) {
        self.cacheDirectory = cacheDirectory
    }

    /// The agent's C source and the statistics header it includes, shipped with the lab.
    package static var source: URL? { Bundle.module.url(forResource: "layoutlab_agent", withExtension: "c", subdirectory: "Agent") }
    package static var statisticsHeader: URL? {
        Bundle.module.url(forResource: "ll_allocator_statistics", withExtension: "h", subdirectory: "Agent")
    }

    /// The compiled agent (`liblayoutlab_agent.so`), built now if the cache has none for this source.
    package func library() throws(CachedCLibraryError) -> URL {
        try CachedCLibrary(
            key: "agent", fileName: "liblayoutlab_agent.so", source: Self.source, headers: [Self.statisticsHeader],
            flags: ["-O2", "-fPIC", "-shared", "-pthread", "-fvisibility=hidden", "-Wall", "-Werror"],
            cacheDirectory: cacheDirectory
        ).library()
    }

    /// The environment the agent reads: the descriptor it writes to (inherited, writable: a pipe's write end),
    /// where the allocator's figures come from, and an optional timer interval in ms. `LAYOUTLAB_AGENT_PID` is
    /// passed empty: the agent claims it for the process it starts in by replacing that entry, without allocating.
    package static func environment(fd: Int32, statistics: AllocatorStatisticsSource, intervalMs: Int?) -> [String: String] {
        var environment = [
            "LAYOUTLAB_AGENT_FD": String(fd), "LAYOUTLAB_AGENT_STATISTICS": statistics.rawValue, "LAYOUTLAB_AGENT_PID": "",
        ]
        if let intervalMs { environment["LAYOUTLAB_AGENT_INTERVAL_MS"] = String(intervalMs) }
        return environment
    }

    /// `LD_PRELOAD` for a program measured under `allocator` (its library's path; nil for the C library's own
    /// malloc) with the agent: the allocator first, so that it serves malloc, then the agent.
    package static func preload(allocator: String?, agent: URL) -> String {
        ([allocator].compactMap { $0 } + [agent.path]).joined(separator: " ")
    }
}
