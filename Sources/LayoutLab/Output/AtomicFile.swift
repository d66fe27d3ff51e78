import Foundation

/// Writes files so that a reader (or a crash) sees either the old complete file or the new complete one:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        try moveIntoPlace(temporary, at: url)
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
