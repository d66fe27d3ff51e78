import Foundation

/// Writes files so that a reader (or a crash) sees either the old complete file or the new complete one:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary.path)", path: temporary.path) }
        var written = 0
        let complete = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += count
            }
            return true
        }
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

    private static func failure(_ message: String, path: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(message): \(String(cString: strerror(errno)))",
        ])
    }

    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    /// Renames `source` over `target` in one step (`rename(2)`).
    public static func moveIntoPlace(_ source: URL, at target: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: target.path,
                NSLocalizedDescriptionKey: "cannot rename \(source.path) to \(target.path): errno \(errno)",
            ])
        }
    }
}
