import Foundation
import LayoutLabHost
import LayoutLabModel

/// Compiles generated layout source into a shared object with `swiftc -O -wmo`, once per distinct source,
/// compiler and flags: the library is cached under `cacheDirectory` by a hash of the three.
public struct LayoutLibraryBuilder: Sendable {
    /// The optimisation flags every generated library is built with. The implicit concurrency and regex
    /// imports are off so that loading the library into a worker loads no runtime the worker does not
    /// already have.
    package static let compilerFlags = [
        "-O", "-wmo", "-parse-as-library", "-emit-library", "-module-name", "LayoutLabGenerated",
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
    ]

    /// The flags a library is built with for `exclusivity`, recorded in `environment.json`.
    package static func compilerFlags(exclusivity: ExclusivityChecking) -> [String] {
        compilerFlags + exclusivity.compilerFlags
    }

    package var swiftc: String
    package var cacheDirectory: URL

    package init(swiftc: String, cacheDirectory: URL) {
        self.swiftc = swiftc
        self.cacheDirectory = cacheDirectory
    }

    /// `$SWIFTC`, else `swiftc` on `PATH`; nil when neither exists.
    package static func findSwiftc() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["SWIFTC"], FileManager.default.isExecutableFile(atPath: explicit) {
            return explicit
        }
        return ExternalCommand.locate("swiftc")
    }

    /// `~/.cache/layoutlab` (or `$XDG_CACHE_HOME/layoutlab`).
    public static var defaultCacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("layoutlab")
    }

    /// The compiler's `--version` text.
    package func compilerVersion() throws(LayoutBuildError) -> String {
        let result = try run([swiftc, "--version"])
        return result.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The path of the compiled library for `source`, compiling it with `flags` if the cache has none.
    /// `compilerVersion` (part of the cache key, with the flags) is asked of the compiler unless the caller
    /// already has it.
    package func library(
        for source: String, compilerVersion known: String? = nil, flags: [String] = LayoutLibraryBuilder.compilerFlags
    ) throws(LayoutBuildError) -> URL {
        let version: String
        if let known { version = known } else { version = try compilerVersion() }
        let directory = cacheDirectory.appendingPathComponent(Self.cacheKey(source: source, compilerVersion: version, flags: flags))
        let library = directory.appendingPathComponent("liblayoutlab-generated.so")
        if FileManager.default.fileExists(atPath: library.path) { return library }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Each build compiles its own copy of the source: two builds of the same library at once (two runs of the
            // same shapes, two tests) would otherwise replace the file under each other's compiler ("input file was
            // modified during the build"). Unique per build, not per process: threads of one process may build too.
            // The copy becomes layouts.swift once its library is in place.
            let unique = "\(getpid())-\(UUID().uuidString.prefix(8))"
            let sourceFile = directory.appendingPathComponent("layouts-\(unique).swift")
            defer { unlink(sourceFile.path) }  // a failed compile leaves no copy behind (a moved one is gone already)
            try source.write(to: sourceFile, atomically: true, encoding: .utf8)
            let partial = directory.appendingPathComponent("liblayoutlab-generated.so.partial-\(unique)")
            _ = try run([swiftc] + flags + [sourceFile.path, "-o", partial.path], workingDirectory: directory)
            try AtomicFile.moveIntoPlace(partial, at: library)
            try AtomicFile.moveIntoPlace(sourceFile, at: directory.appendingPathComponent("layouts.swift"))
        } catch let error as LayoutBuildError {
            throw error
        } catch {
            throw LayoutBuildError(message: "cannot write the generated library under \(directory.path): \(error)")
        }
        return library
    }

    /// The cache folder name of a library: a hash of its source, compiler and flags, so that a library built
    /// with other flags (`"exclusivity": "unchecked"`) is never taken for this one.
    static func cacheKey(source: String, compilerVersion: String, flags: [String]) -> String {
        String(StableHash.fnv1a64(source + "\n" + compilerVersion + "\n" + flags.joined(separator: " ")), radix: 16)
    }

    private func run(_ command: [String], workingDirectory: URL? = nil) throws(LayoutBuildError) -> String {
        guard let result = ExternalCommand.run(command, workingDirectory: workingDirectory, mergeStandardError: true) else {
            throw LayoutBuildError(message: "cannot start \(command[0])")
        }
        guard result.status == 0 else {
            throw LayoutBuildError(message: "\(command.joined(separator: " ")) failed:\n\(result.text)")
        }
        return result.text
    }
}

/// The generated layout code could not be compiled.
package struct LayoutBuildError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

/// FNV-1a, 64 bits: a hash that is the same in every process (unlike `Hasher`), for cache keys.
package enum StableHash {
    package static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
