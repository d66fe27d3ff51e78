#if canImport(Glibc)
import Glibc
#endif

/// One `/proc` file kept open for the whole trial and re-read with `pread(2)` into a buffer allocated once,
/// so that taking a sample neither opens files nor allocates memory. (Plain Glibc calls rather than
/// swift-system: the worker links nothing it does not use, so its baseline RSS stays small.)
package final class ProcFile {
    package let path: String
    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens `path` read-only with a fixed buffer of `capacityBytes`.
    package init(path: String, capacityBytes: Int) throws(ProcFileError) {
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { throw ProcFileError(path: path, code: errno) }
        self.path = path
        descriptor = opened
        // One byte more than a file may hold: a file that fills it is too large, not exactly full.
        buffer = .allocate(byteCount: capacityBytes + 1, alignment: 8)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// Reads the whole file again from offset 0 and hands its bytes to `body`; the bytes are valid only
    /// inside `body`. A file larger than the buffer is an error rather than a silently cut reading.
    package func withContents<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(ProcFileError) -> R {
        try read(wholeFile: true, body)
    }

    /// Reads the file's first bytes, as many as the buffer holds, for files of which only the beginning
    /// matters (`/proc/stat`, whose interrupt lines grow with the machine). Same lifetime rule as `withContents`.
    package func withLeadingContents<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(ProcFileError) -> R {
        try read(wholeFile: false, body)
    }

    /// Fills the buffer from offset 0 until end of file; a file longer than the buffer is `ERANGE` when
    /// `wholeFile`, and cut at the buffer's end otherwise. `EINTR` is retried.
    private func read<R>(wholeFile: Bool, _ body: (UnsafeRawBufferPointer) -> R) throws(ProcFileError) -> R {
        var filled = 0
        while true {
            guard filled < buffer.count, let base = buffer.baseAddress else {
                if wholeFile { throw ProcFileError(path: path, code: ERANGE) }
                break
            }
            let count = pread(descriptor, base + filled, buffer.count - filled, off_t(filled))
            if count < 0 {
                if errno == EINTR { continue }
                throw ProcFileError(path: path, code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
    }
}

/// A `/proc` file that could not be opened or read, with the system's error number and its text.
package struct ProcFileError: Error, CustomStringConvertible {
    package let path: String
    package let code: Int32
    package var description: String { "\(path): \(String(cString: strerror(code))) (errno \(code))" }
}
