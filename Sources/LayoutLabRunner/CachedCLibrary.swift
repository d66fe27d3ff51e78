import Foundation
import LayoutLabCodegen
import LayoutLabHost
import LayoutLabModel

/// A C shared library the lab ships as source (a resource) and preloads into programs it measures: the
/// allocation tracer and the allocator agent. Compiled with the system's C compiler into the lab's cache
/// (`<cache>/<key>-<hash>/lib<name>.so`), once per source text and flags; the hash covers the source and every
/// header beside it that it includes, so an edited header builds anew.
package struct CachedCLibrary: Sendable {
    /// What the library is called in messages ("tracer") and the first part of its cache folder's name.
    package var key: String
    /// The file name of the compiled library (`liblayoutlab_tracer.so`).
    package var fileName: String
    /// The C source, and the headers it includes (beside it), all shipped as resources.
    package var source: URL?
    package var headers: [URL?]
    /// The compiler's flags; the source, `-o` and `-ldl` are added.
    package var flags: [String]
    package var cacheDirectory: URL

    package init(key: String, fileName: String, source: URL?, headers: [URL?] = [], flags: [String], cacheDirectory: URL) {
        self.key = key
        self.fileName = fileName
        self.source = source
        self.headers = headers
        self.flags = flags
        self.cacheDirectory = cacheDirectory
    }

    /// The compiled library, built now if the cache has none for this source.
    package func library() throws(CachedCLibraryError) -> URL {
        guard let source, let text = try? String(contentsOf: source, encoding: .utf8) else {
            throw CachedCLibraryError("the \(key)'s source is missing from the lab's resources: rebuild the lab")
        }
        var texts = [text]
        for header in headers {
            guard let header, let headerText = try? String(contentsOf: header, encoding: .utf8) else {
                throw CachedCLibraryError("a header of the \(key) is missing from the lab's resources: rebuild the lab")
            }
            texts.append(headerText)
        }
        guard let compiler = ExternalCommand.locate("cc") ?? ExternalCommand.locate("gcc") else {
            throw CachedCLibraryError("no C compiler (cc or gcc) on PATH: the lab compiles its \(key) with one")
        }
        let hash = StableHash.fnv1a64(texts.joined(separator: "\n") + "\n" + flags.joined(separator: " "))
        let directory = cacheDirectory.appendingPathComponent(key + "-" + String(hash, radix: 16))
        let library = directory.appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: library.path) { return library }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CachedCLibraryError("cannot create the \(key)'s cache folder \(directory.path): \(error.localizedDescription)")
        }
        // Built under a name of its own (this process and this call: tests build from several threads), then renamed:
        // two builds at once never load a half-written file.
        let partial = directory.appendingPathComponent(".\(fileName).\(getpid()).\(UUID().uuidString.prefix(8)).partial")
        let finished: ChildProcess.Finished
        do {
            finished = try ChildProcess.run(compiler, flags + ["-o", partial.path, source.path, "-ldl"], mergeStandardError: true)
        } catch {
            throw CachedCLibraryError("cannot start the C compiler \(compiler): \(error)")
        }
        guard finished.termination == .exited(0) else {
            _ = try? FileManager.default.removeItem(at: partial)
            throw CachedCLibraryError("the C compiler failed on the \(key) (\(compiler) \(flags.joined(separator: " "))):\n\(finished.standardOutput)")
        }
        guard rename(partial.path, library.path) == 0 else {
            throw CachedCLibraryError("cannot move the \(key) into \(library.path): \(String(cString: strerror(errno)))")
        }
        return library
    }
}

/// A shipped C library could not be built: its source is missing, there is no C compiler, or it failed.
package struct CachedCLibraryError: LabError {
    package var message: String
    package var exitStatus: LabExitStatus { .failure }

    init(_ message: String) { self.message = message }
}
