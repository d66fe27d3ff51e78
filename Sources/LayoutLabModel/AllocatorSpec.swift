import LayoutLabProtocol

/// An allocator a trial runs under: the C library's own `malloc` (`system`), or a shared object preloaded
/// into the worker only (`LD_PRELOAD`), with extra environment such as `MALLOC_CONF`.
public struct AllocatorSpec: Equatable, Sendable {
    public var name: String
    /// A path or a bare file name searched in the system library directories; nil for the C library.
    public var library: String?
    /// Extra environment for the worker (e.g. `MALLOC_CONF`), recorded in `environment.json`.
    public var environment: [String: String]
    /// Where the `allocator_*` columns come from.
    package var statistics: AllocatorStatisticsSource
    /// The Debian package that ships a built-in allocator, for installation hints and version records.
    public var debianPackage: String?

    package init(
        name: String, library: String?, environment: [String: String] = [:],
        statistics: AllocatorStatisticsSource, debianPackage: String? = nil
    ) {
        self.name = name
        self.library = library
        self.environment = environment
        self.statistics = statistics
        self.debianPackage = debianPackage
    }

    /// glibc's malloc, read through `mallinfo2`.
    public static let system = AllocatorSpec(
        name: "system", library: nil, statistics: .mallinfo2, debianPackage: "libc6")
    /// Debian's jemalloc, read through `mallctl`.
    public static let jemalloc = AllocatorSpec(
        name: "jemalloc", library: "libjemalloc.so.2", statistics: .jemalloc, debianPackage: "libjemalloc2")

    /// Debian's mimalloc, read through `mi_process_info`.
    public static let mimalloc = AllocatorSpec(
        name: "mimalloc", library: "libmimalloc.so.2", statistics: .mimalloc, debianPackage: "libmimalloc2.0")
    /// gperftools' full tcmalloc (not tcmalloc_minimal), read through `MallocExtension_GetNumericProperty`.
    public static let tcmalloc = AllocatorSpec(
        name: "tcmalloc", library: "libtcmalloc.so.4", statistics: .tcmalloc, debianPackage: "libgoogle-perftools4")

    /// glibc's malloc with CPython's own small-object allocator left on (no `PYTHONMALLOC=malloc`): the way
    /// Python runs by default. For Swift layouts it is the same as `system`.
    public static let pymalloc = AllocatorSpec(
        name: "pymalloc", library: nil, statistics: .mallinfo2, debianPackage: "libc6")

    /// The allocators an experiment can name by a plain string.
    public static let builtIns: [AllocatorSpec] = [.system, .jemalloc, .mimalloc, .tcmalloc, .pymalloc]

    /// The statistics a custom library most likely offers, judged by its file name.
    package static func statistics(guessedFrom library: String) -> AllocatorStatisticsSource {
        let name = library.split(separator: "/").last.map(String.init) ?? library
        if name.contains("jemalloc") { return .jemalloc }
        if name.contains("mimalloc") { return .mimalloc }
        if name.contains("tcmalloc") { return .tcmalloc }
        if name.hasPrefix("libc.so") || name.hasPrefix("libc-") { return .mallinfo2 }
        return .none
    }
}
