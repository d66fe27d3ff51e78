#if canImport(Glibc)
import Glibc
#endif

/// Reads the calling process's own `/proc/self/smaps_rollup` into a buffer allocated once, opening the file
/// afresh on every reading: a descriptor opened before a `fork` names the parent (`/proc/self` is resolved at
/// `open`), so a forked child cannot reuse the sampler's. Opening, reading and closing allocate nothing, so a
/// child may read between `fork` and its report.
package final class OwnSmapsRollupReader {
    /// `/proc/self/smaps_rollup` as a NUL-terminated C string, made in `init`.
    private let path: UnsafeMutablePointer<CChar>
    private let buffer: UnsafeMutableRawBufferPointer

    /// Allocates the path and a buffer of `capacityBytes` (one byte more: a reading that fills it is too large).
    package init(capacityBytes: Int = 8192) {
        let text = Array("/proc/self/smaps_rollup".utf8CString)
        path = .allocate(capacity: text.count)
        path.initialize(from: text, count: text.count)
        buffer = .allocate(byteCount: capacityBytes + 1, alignment: 8)
    }

    deinit {
        path.deallocate()
        buffer.deallocate()
    }

    /// Touches the buffer and the code once, so that a child's first reading does not fault them in.
    package func warm() { _ = read() }

    /// The calling process's figures now; nil when the file cannot be opened or read whole.
    package func read() -> SmapsSharingReading? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, let base = buffer.baseAddress else { return nil }
        defer { close(descriptor) }
        var filled = 0
        while filled < buffer.count {
            let count = pread(descriptor, base + filled, buffer.count - filled, off_t(filled))
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return SmapsSharingReading(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<filled])) }
            filled += count
        }
        return nil
    }
}
