import Foundation

/// Writes files so that a reader (or a crash) sees either the old complete file or the new complete one:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        // Unique per write: two writers of one target in one process must not share a temporary file.
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary.path)", path: temporary.path) }
        let complete = data.withUnsafeBytes { writeAll($0, to: descriptor) }
        // One fsync: the bytes are on disk before the rename makes them the file.
        guard complete, fsync(descriptor) == 0 else {
            let error = failure("cannot write \(temporary.path)", path: temporary.path)
            close(descriptor)
            unlink(temporary.path)
            throw error
        }
        close(descriptor)
        try moveIntoPlace(temporary, at: url)
    }

    /// Writes every byte of `buffer` to `descriptor`, at `offset` (pwrite) or at its position (write), going on
    /// after short writes and EINTR; false on any other failure, `errno` saying why.
    package static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int? = nil) -> Bool {
        var written = 0
        while written < buffer.count {
            let pointer = buffer.baseAddress! + written, remaining = buffer.count - written
            let count = offset.map { pwrite(descriptor, pointer, remaining, off_t($0 + written)) } ?? Glibc.write(descriptor, pointer, remaining)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += count
        }
        return true
    }

    private static func failure(_ message: String, path: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(message): \(String(cString: strerror(errno)))",
        ])
    }

    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    /// Renames `source` over `target` in one step (`rename(2)`); on failure the source is removed.
    public static func moveIntoPlace(_ source: URL, at target: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            let error = CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: target.path,
                NSLocalizedDescriptionKey: "cannot rename \(source.path) to \(target.path): \(String(cString: strerror(errno)))",
            ])
            unlink(source.path)
            throw error
        }
    }

    /// Flushes a folder's entries (the renames into it) to disk, so that what was renamed first survives a
    /// power loss first. A crash of the process alone needs no such flush.
    public static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Removes temporary files left in `directory` by a writer that was killed between writing and renaming.
    /// Only for a folder no one else is writing to (the runner resuming its own run).
    public static func removeLeftovers(in directory: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".") && name.contains(".partial-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
