import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabResults

/// An allocator made ready for a run: the library to preload into workers (nil for the C library's own
/// malloc), the real path of the shared object that must serve `malloc`, and its `environment.json` entry.
struct ResolvedAllocator {
    var spec: AllocatorSpec
    var preload: String?
    var providerPath: String
    var record: EnvironmentRecord.Allocator

    static func resolve(_ spec: AllocatorSpec, with resolver: SharedLibraryResolver) throws -> ResolvedAllocator {
        let path: String
        if let library = spec.library {
            switch resolver.resolve(library) {
            case .success(let resolved): path = resolved
            case .failure(let problem): throw HostError.allocatorLibrary(allocator: spec.name, library: library, problem: problem)
            }
        } else {
            guard let libc = EnvironmentProbe.cLibraryPath() else { throw HostError.noCLibrary }
            path = libc
        }
        let package = EnvironmentProbe.debianPackage(owning: path, fallback: spec.debianPackage)
        let settings = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let record = EnvironmentRecord.Allocator(
            name: spec.name, library: spec.library ?? "libc.so.6", libraryRealPath: path, debianPackage: package.name,
            packageVersion: package.version, sha256: EnvironmentProbe.sha256(of: path), environment: spec.environment,
            statistics: spec.statistics.rawValue,
            label: ([spec.name, package.version].compactMap { $0 } + settings).joined(separator: " "))
        return ResolvedAllocator(spec: spec, preload: spec.library == nil ? nil : path, providerPath: path, record: record)
    }
}
