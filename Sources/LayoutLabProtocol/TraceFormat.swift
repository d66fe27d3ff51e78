/// The allocation trace file that `layoutlab record` writes (its tracer: LayoutLabRunner/Tracer/layoutlab_tracer.c,
/// whose constants must equal these; TraceFormatTests reads them from the C source). Version 1, little-endian:
///
/// - header, 32 bytes: magic `LLTRACE\0` (8), version u32, header bytes u32 (32), CLOCK_MONOTONIC at start in ns
///   u64, traced pid u32, reserved u32.
/// - chunks, each a thread's buffer as it was flushed: magic `CHNK` u32, thread u32 (1, 2, … in the order the
///   threads first allocated), first sequence number u64, event count u32, payload bytes u32; then the events.
/// - end record, 24 bytes: magic `TEND` u32, threads u32, events u64 (every sequence number handed out),
///   dropped events u64 (the tracer could not buffer them). A file without it is truncated (the program was
///   killed, or left by `_exit`).
///
/// An event is a kind byte (low 6 bits: `TraceEvent.Kind`; 0x80: the call failed, no block; 0x40: the pointer
/// passed in was not a traced block), the LEB128 delta of its sequence number from the thread's previous event
/// (the chunk's first has 0), then its arguments as LEB128: malloc size; calloc count, size; realloc block, size;
/// free block; posix_memalign, aligned_alloc and memalign alignment, size; malloc_usable_size block, the usable
/// size it returned. A block is named by the sequence number of the event that returned it (0: none), so a
/// free or realloc says which earlier block it ends. Sequence numbers are handed out under the tracer's lock:
/// they order the events of all threads.
public enum TraceFormat {
    public static let magic: [UInt8] = Array("LLTRACE".utf8) + [0]
    public static let version: UInt32 = 1
    public static let headerBytes = 32
    public static let chunkMagic: UInt32 = 0x4B4E_4843
    public static let chunkHeaderBytes = 24
    public static let endMagic: UInt32 = 0x444E_4554
    public static let endBytes = 24
    public static let failedFlag: UInt8 = 0x80
    public static let unknownFlag: UInt8 = 0x40
}

/// One recorded allocator call. `block` is the sequence number of the event that returned the block this one
/// ends or asks about (0: none, or unknown); sizes and alignments in bytes.
public struct TraceEvent: Equatable, Sendable {
    /// The allocator entry point called; the raw value is the kind byte's low 6 bits.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case malloc = 1, calloc, realloc, free, posixMemalign, alignedAlloc, memalign, usableSize

        /// The C name, as the README and `trace-info` print it.
        public var name: String {
            switch self {
            case .malloc: "malloc"
            case .calloc: "calloc"
            case .realloc: "realloc"
            case .free: "free"
            case .posixMemalign: "posix_memalign"
            case .alignedAlloc: "aligned_alloc"
            case .memalign: "memalign"
            case .usableSize: "malloc_usable_size"
            }
        }

        /// Whether a successful call returns a new block (named by this event's sequence number).
        public var makesBlock: Bool {
            switch self {
            case .free, .usableSize: false
            default: true
            }
        }
    }

    public var sequence: UInt64
    public var thread: UInt32
    public var kind: Kind
    /// The call returned NULL or an error: no block was made (a failed realloc leaves its old block alive).
    public var failed: Bool
    /// The pointer passed in was not a block the tracer knew (allocated before it started, or not by malloc).
    public var unknownPointer: Bool
    /// free, realloc, malloc_usable_size: the block passed in (0: NULL or unknown).
    public var block: UInt64
    /// Requested bytes: malloc's size, calloc's count × size, realloc's and the aligned calls' size; the usable
    /// size malloc_usable_size returned; 0 for free.
    public var bytes: UInt64
    /// The aligned calls' alignment in bytes; 0 otherwise.
    public var alignment: UInt64

    public init(
        sequence: UInt64, thread: UInt32, kind: Kind, failed: Bool = false, unknownPointer: Bool = false, block: UInt64 = 0,
        bytes: UInt64 = 0, alignment: UInt64 = 0
    ) {
        self.sequence = sequence
        self.thread = thread
        self.kind = kind
        self.failed = failed
        self.unknownPointer = unknownPointer
        self.block = block
        self.bytes = bytes
        self.alignment = alignment
    }
}
