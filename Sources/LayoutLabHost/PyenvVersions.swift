import Foundation

/// The CPython versions pyenv installed on this machine: `versions/<X.Y.Z>/bin/python3` under pyenv's root
/// (`pyenv root`, else `$PYENV_ROOT`, else `~/.pyenv`). A version name in `"python"` (`"3.12"`) names the newest
/// installed `3.12.x`; `"3.12.1"` names that release.
package struct PyenvVersions: Sendable {
    /// pyenv's root directory (it may not exist).
    package var root: String
    /// Installed release versions (`X.Y.Z`, no suffix such as `t` or `-dev`), ascending.
    package var installed: [[Int]]

    package init(root: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let found = root
            ?? ExternalCommand.output(["pyenv", "root"]).flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PYENV_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pyenv")
        self.root = found
        let names = (try? FileManager.default.contentsOfDirectory(atPath: found + "/versions")) ?? []
        installed = names.compactMap(Self.release).filter { version in
            FileManager.default.isExecutableFile(atPath: "\(found)/versions/\(Self.text(version))/bin/python3")
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `[3, 12]` or `[3, 12, 1]` for a version name (`3.12`, `3.12.1`); nil for anything else (a path or a command).
    package static func versionName(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return parts.compactMap { Int($0) }
    }

    static func release(_ name: String) -> [Int]? { versionName(name).flatMap { $0.count == 3 ? $0 : nil } }

    static func text(_ version: [Int]) -> String { version.map(String.init).joined(separator: ".") }

    /// The `bin/python3` of the newest installed version `name` names, or why there is none.
    package func interpreter(for name: [Int]) -> Result<String, PyenvVersionMissing> {
        guard let newest = installed.last(where: { Array($0.prefix(name.count)) == name }) else {
            return .failure(PyenvVersionMissing(root: root, installed: installed.map(Self.text)))
        }
        return .success("\(root)/versions/\(Self.text(newest))/bin/python3")
    }
}

/// No pyenv-installed interpreter of the version asked for: where pyenv was looked for and what it has.
package struct PyenvVersionMissing: Error, Sendable {
    package var root: String
    package var installed: [String]

    package var explanation: String {
        installed.isEmpty
            ? "no versions are installed under \(root)/versions (pyenv root, $PYENV_ROOT or ~/.pyenv)"
            : "installed under \(root)/versions: \(installed.joined(separator: ", "))"
    }
}
