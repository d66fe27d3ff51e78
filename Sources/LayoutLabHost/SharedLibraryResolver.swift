import Foundation

/// Finds an allocator's shared object: a path is taken as it is, a bare file name (`libjemalloc.so.2`) is
/// searched in `LD_LIBRARY_PATH` and the system library directories, as the dynamic loader would.
package struct SharedLibraryResolver: Sendable {
    package var searchDirectories: [String]

    package init(searchDirectories: [String]? = nil) {
        let fromEnvironment = (ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] ?? "")
            .split(separator: ":").map(String.init)
        self.searchDirectories = searchDirectories ?? fromEnvironment + [
            "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib",
        ]
    }

    /// The real path of the library, or why it cannot be used.
    package func resolve(_ library: String) -> Result<String, LibraryProblem> {
        let candidates = library.contains("/") ? [library] : searchDirectories.map { $0 + "/" + library }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return .failure(library.contains("/") ? .missing : .notInstalled)
        }
        let resolved = URL(fileURLWithPath: found).resolvingSymlinksInPath().path
        guard let handle = FileHandle(forReadingAtPath: resolved) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 18)) ?? Data()
        // An ELF file whose e_type (bytes 16–17, little-endian) is ET_DYN (3): a shared object.
        guard magic.count == 18, magic.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]), magic[16] == 3, magic[17] == 0 else {
            return .failure(.notSharedObject)
        }
        return .success(resolved)
    }
}

/// Why an allocator library cannot be used.
package enum LibraryProblem: Error, Equatable, Sendable {
    case missing, notInstalled, unreadable, notSharedObject

    package var explanation: String {
        switch self {
        case .missing: "no such file"
        case .notInstalled: "not found in the system library directories"
        case .unreadable: "cannot be read"
        case .notSharedObject: "not an ELF shared object"
        }
    }
}
