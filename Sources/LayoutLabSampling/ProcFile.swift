import SystemPackage

/// One `/proc` file kept open for the whole trial and re-read with `pread(2)` into a buffer allocated once,
/// so that taking a sample neither opens files nor allocates memory.
public final class ProcFile {
    public let path: String
    private let descriptor: FileDescriptor
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens `path` read-only with a fixed buffer of `capacityBytes`.
    public init(path: String, capacityBytes: Int) throws(ProcFileError) {
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            throw ProcFileError(path: path, errno: (error as? Errno) ?? .ioError)
        }
        self.path = path
        buffer = .allocate(byteCount: capacityBytes, alignment: 8)
    }

    deinit {
        try? descriptor.close()
        buffer.deallocate()
    }

    /// Reads the whole file again from offset 0 and hands its bytes to `body`; the bytes are valid only
    /// inside `body`. A file larger than the buffer is an error rather than a silently cut reading.
    public func withContents<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(ProcFileError) -> R {
        var filled = 0
        while true {
            let room = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
            if room.isEmpty { throw ProcFileError(path: path, errno: .outOfRange) }
            let count: Int
            do {
                count = try descriptor.read(fromAbsoluteOffset: Int64(filled), into: room, retryOnInterrupt: true)
            } catch {
                throw ProcFileError(path: path, errno: (error as? Errno) ?? .ioError)
            }
            if count == 0 { break }
            filled += count
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
    }
}

/// A `/proc` file that could not be opened or read, with the system's reason.
public struct ProcFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Errno
    public var description: String { "\(path): \(errno)" }
}
