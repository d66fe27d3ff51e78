import Foundation
import LayoutLabResults

/// What names each folder of a `layoutlab trend` series on the x axis and in the table's header.
public enum TrendLabel: String, Sendable, CaseIterable {
    /// The lab's git commit the run was made with (environment.json `lab.git_commit`, 10 digits, `+dirty`).
    case commit
    /// Each allocator's version: its Debian package version, else the first 10 digits of its library's
    /// sha256 (environment.json `allocators[].package_version`, `sha256`).
    case allocatorVersion = "allocator_version"
    /// The folder's own name (the last path component, with the link target's name for `latest`).
    case dir

    /// The labels of the folders, in order; a label two folders share gets ` #k` (k the folder's 1-based place).
    public func labels(_ directories: [URL]) -> [String] {
        let raw = directories.map { label($0) }
        return raw.enumerated().map { index, label in
            raw.filter { $0 == label }.count > 1 ? "\(label) #\(index + 1)" : label
        }
    }

    func label(_ directory: URL) -> String {
        let record = EnvironmentReader(directory: directory).record
        switch self {
        case .dir:
            let name = directory.lastPathComponent
            let resolved = directory.resolvingSymlinksInPath().lastPathComponent
            return resolved == name ? name : "\(name) (\(resolved))"
        case .commit:
            guard let commit = record?.lab.gitCommit else { return "commit unknown" }
            return String(commit.prefix(10)) + (record?.lab.gitDirty == true ? "+dirty" : "")
        case .allocatorVersion:
            guard let allocators = record?.allocators, !allocators.isEmpty else { return "allocators not recorded" }
            return allocators.map { "\($0.name) \(Self.version(of: $0))" }.joined(separator: ", ")
        }
    }

    /// "5.3.0-1", else "sha256 9a2fa29d33", else the library's real path.
    public static func version(of allocator: EnvironmentRecord.Allocator) -> String {
        if let version = allocator.packageVersion, allocator.library.isEmpty || allocator.debianPackage != nil { return version }
        if let sha = allocator.sha256 { return "sha256 " + String(sha.prefix(10)) }
        return allocator.libraryRealPath
    }

    /// The version of the allocator named `name` in the folder, or nil where environment.json does not say.
    public static func version(of name: String, in directory: URL) -> String? {
        EnvironmentReader(directory: directory).record?.allocators.first { $0.name == name }.map { version(of: $0) }
    }
}
