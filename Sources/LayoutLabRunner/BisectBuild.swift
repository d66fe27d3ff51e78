import LayoutLabHost
import LayoutLabResults

/// One build of a `layoutlab bisect` series: an allocator shared object, its position in `--builds` and the
/// sha256 of its bytes, checked before any trial runs.
public struct BisectBuild: Sendable, Equatable {
    /// 1-based position in `--builds`; build 1 is the known good one.
    public var index: Int
    /// The path as given.
    public var path: String
    /// The real path (symbolic links resolved), which the worker proves serves `malloc`.
    public var realPath: String
    /// nil when `sha256sum` could not read it.
    public var sha256: String?

    /// Resolves every build, or throws one error naming each that is missing, not an ELF shared object, or the
    /// same file as an earlier one (by real path).
    public static func series(_ paths: [String]) throws(BisectError) -> [BisectBuild] {
        guard paths.count >= 2 else { throw .tooFewBuilds(count: paths.count) }
        let resolver = SharedLibraryResolver(searchDirectories: [])
        var builds: [BisectBuild] = []
        var problems: [String] = []
        for (offset, path) in paths.enumerated() {
            let index = offset + 1
            // A bare name would be searched in the system's library directories: a series is files of the user's.
            let given = path.contains("/") ? path : "./" + path
            switch resolver.resolve(given) {
            case .failure(let problem):
                problems.append("build \(index) (\(path)): \(problem.explanation)")
            case .success(let realPath):
                if let earlier = builds.first(where: { $0.realPath == realPath }) {
                    problems.append("build \(index) (\(path)) is the same file as build \(earlier.index) (\(earlier.path))\(realPath == path ? "" : ": \(realPath)")")
                    continue
                }
                builds.append(BisectBuild(index: index, path: path, realPath: realPath, sha256: nil))
            }
        }
        guard problems.isEmpty else { throw .badBuilds(problems) }
        for position in builds.indices { builds[position].sha256 = EnvironmentProbe.sha256(of: builds[position].realPath) }
        return builds
    }
}
