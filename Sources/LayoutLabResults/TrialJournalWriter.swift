import Foundation
import LayoutLabModel

/// Appends entries to a `TrialJournal` file: each append is written at the end of the last whole entry and
/// `fsync`ed before it returns. Opening cuts the file to its whole entries (the tail a killed run left), and a
/// failed append (a full disk) is cut away again, so that every later entry follows a whole one.
final class TrialJournalWriter {
    let url: URL
    private let descriptor: Int32
    /// Bytes of whole entries, first line included: where the next entry goes.
    private(set) var length: Int

    /// Opens (or creates) the journal and cuts it to `wholeBytes` (from `TrialJournal.read`; 0 for a new file).
    init(url: URL, wholeBytes: Int) throws {
        self.url = url
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("cannot open \(url.path)") }
        length = wholeBytes
        guard ftruncate(descriptor, off_t(wholeBytes)) == 0 else {
            let error = Self.failure("cannot cut \(url.path) to its whole entries")
            close(descriptor)
            throw error
        }
        if wholeBytes == 0 {
            try write(Array(TrialJournal.firstLine.utf8))
        } else if fsync(descriptor) != 0 {
            let error = Self.failure("cannot flush \(url.path)")
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// Appends entries (from `TrialJournal.encode`) in one write and one `fsync`.
    func append(_ entries: [[UInt8]]) throws { try write(Array(entries.joined())) }

    private func write(_ bytes: [UInt8]) throws {
        let complete = bytes.withUnsafeBytes { AtomicFile.writeAll($0, to: descriptor, at: length) }
        guard complete, fsync(descriptor) == 0 else {
            let error = Self.failure("cannot append to \(url.path)")
            _ = ftruncate(descriptor, off_t(length))
            throw error
        }
        length += bytes.count
    }

    private static func failure(_ message: String) -> TrialJournalError {
        TrialJournalError.writeFailed(what: message, reason: String(cString: strerror(errno)))
    }
}
