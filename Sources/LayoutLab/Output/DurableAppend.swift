import Foundation

/// Appends text to a file and flushes it to disk (`fsync`) before returning; a file that does not exist yet,
/// or is empty, starts with `header`. A crash in the middle leaves at most a torn last line, which
/// `ResultsFolder` drops when it reopens the folder. Costs the new bytes only, unlike rewriting the file.
enum DurableAppend {
    static func append(_ text: String, to url: URL, header: String) throws {
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot open \(url.path) to append") }
        defer { close(descriptor) }
        let bytes = Array(((lseek(descriptor, 0, SEEK_END) == 0 ? header : "") + text).utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot append to \(url.path)")
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush \(url.path) to disk") }
    }

    private static func failure(_ message: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(message): \(String(cString: strerror(errno)))"])
    }
}
