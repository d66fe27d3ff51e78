import LayoutLabProtocol

/// What a trace says of its program's allocations (`layoutlab trace-info`): calls by kind, the live requested
/// bytes at the trace's peak, the requested sizes and the blocks' lifetimes, all counted by replaying the events
/// in sequence order (no allocator involved). Bytes are requested bytes; lifetimes are in events (sequence
/// numbers between a block's allocation and its free or realloc).
public struct TraceSummary: Sendable {
    /// Calls by kind, failed ones included.
    public var calls: [TraceEvent.Kind: Int] = [:]
    public var failedCalls = 0
    /// free, realloc or malloc_usable_size of a pointer the tracer did not know (made before it started).
    public var unknownPointers = 0
    public var events = 0
    public var threads = 0
    /// The largest sum of requested bytes of the blocks alive at once, and the sequence number where it was reached.
    public var peakLiveRequestedBytes: UInt64 = 0
    public var peakSequence: UInt64 = 0
    /// Blocks alive at the peak.
    public var peakLiveBlocks = 0
    /// Blocks never freed by the end of the trace, and their requested bytes.
    public var liveBlocksAtEnd = 0
    public var liveRequestedBytesAtEnd: UInt64 = 0
    /// Blocks made (successful allocating calls, realloc's new blocks included).
    public var blocksMade = 0
    /// Requested sizes of every block made: size → blocks.
    public var sizes: [UInt64: Int] = [:]
    /// Lifetimes of the blocks that ended (freed or reallocated), in events, by power-of-two bin: the bin's
    /// lower bound (1, 2, 4, …) → blocks.
    public var lifetimeBins: [UInt64: Int] = [:]
    public var droppedEvents: UInt64 = 0
    /// Numbered calls whose events are not in the file (`Trace.lostEvents`).
    public var lostEvents: UInt64 = 0
    public var fileBytes = 0

    public init(_ trace: Trace) {
        events = trace.events.count
        threads = trace.threads
        droppedEvents = trace.droppedEvents
        lostEvents = trace.lostEvents
        fileBytes = trace.fileBytes
        var live: [UInt64: UInt64] = [:]  // block → requested bytes
        var liveBytes: UInt64 = 0
        func end(_ block: UInt64, at sequence: UInt64) {
            guard block != 0, let bytes = live.removeValue(forKey: block) else { return }
            liveBytes -= bytes
            let lifetime = max(1, sequence - block)
            lifetimeBins[Self.powerOfTwoBin(lifetime), default: 0] += 1
        }
        for event in trace.events {
            calls[event.kind, default: 0] += 1
            if event.failed { failedCalls += 1 }
            if event.unknownPointer { unknownPointers += 1 }
            switch event.kind {
            case .free:
                end(event.block, at: event.sequence)
            case .realloc:
                // A realloc that returned NULL keeps its block, except realloc(p, 0), which freed it (glibc).
                if !event.failed || event.bytes == 0 { end(event.block, at: event.sequence) }
            default:
                break
            }
            if event.kind.makesBlock, !event.failed {
                live[event.sequence] = event.bytes
                liveBytes += event.bytes
                blocksMade += 1
                sizes[event.bytes, default: 0] += 1
                if liveBytes > peakLiveRequestedBytes {
                    peakLiveRequestedBytes = liveBytes
                    peakSequence = event.sequence
                    peakLiveBlocks = live.count
                }
            }
        }
        liveBlocksAtEnd = live.count
        liveRequestedBytesAtEnd = liveBytes
    }

    /// Bytes of the file per recorded event.
    public var bytesPerEvent: Double? { events > 0 ? Double(fileBytes) / Double(events) : nil }

    /// The lower bound of `value`'s power-of-two bin: 0 for 0, else the largest power of two ≤ value.
    public static func powerOfTwoBin(_ value: UInt64) -> UInt64 {
        value == 0 ? 0 : UInt64(1) << UInt64(63 - value.leadingZeroBitCount)
    }

    /// Requested sizes by power-of-two bin (the bin's lower bound → blocks, and the largest size requested in it):
    /// 0, 1, 2–3, 4–7, …
    public var sizeBins: [(lowerBound: UInt64, blocks: Int, largest: UInt64)] {
        var bins: [UInt64: (blocks: Int, largest: UInt64)] = [:]
        for (size, blocks) in sizes {
            let bin = bins[Self.powerOfTwoBin(size), default: (0, 0)]
            bins[Self.powerOfTwoBin(size)] = (bin.blocks + blocks, max(bin.largest, size))
        }
        return bins.sorted { $0.key < $1.key }.map { ($0.key, $0.value.blocks, $0.value.largest) }
    }
}
