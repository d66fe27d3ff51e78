/// A trace file read whole (`TraceFormat`): its header, its events of every thread in sequence order, and its end
/// record's counts.
public struct Trace: Sendable {
    /// The traced process's id and the monotonic clock at its start, in ns.
    public var pid: UInt32
    public var startNs: UInt64
    /// Threads that made at least one call.
    public var threads: Int
    /// Sequence numbers handed out (the end record's count): equals `events.count` unless events were dropped.
    public var sequenceNumbers: UInt64
    /// Events the tracer could not buffer (no memory for a thread's buffer).
    public var droppedEvents: UInt64
    /// Every recorded call, ordered by sequence number.
    public var events: [TraceEvent]
    /// Bytes of the file.
    public var fileBytes: Int

    /// Sequence numbers handed out whose events are neither in the file nor counted as dropped: 0 for a trace
    /// the tracer ended cleanly; more means events were lost (a tracer fault), and the trace is incomplete.
    public var lostEvents: UInt64 {
        let accounted = UInt64(events.count) + droppedEvents
        return sequenceNumbers > accounted ? sequenceNumbers - accounted : 0
    }

    /// Whether every call the tracer numbered is in the file.
    public var isComplete: Bool { lostEvents == 0 && droppedEvents == 0 }
}

/// Why a trace cannot be read: what is wrong, at which byte offset of the file.
public struct TraceReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var problem: String

    public var description: String { "at offset \(offset): \(problem)" }
}

/// Reads a trace from its bytes, checking every field: a foreign file (wrong magic or version), a truncated one
/// (a chunk cut short, no end record) and a damaged one (an event running past its chunk, an unknown kind,
/// sequence numbers out of order) each give a `TraceReadError` with the offset where it shows.
public enum TraceReader {
    public static func read(_ bytes: [UInt8]) throws(TraceReadError) -> Trace {
        guard bytes.count >= TraceFormat.headerBytes else {
            throw TraceReadError(offset: bytes.count, problem: "the file ends inside the \(TraceFormat.headerBytes)-byte header (\(bytes.count) bytes): not a LayoutLab trace, or an empty one")
        }
        guard Array(bytes[0..<8]) == TraceFormat.magic else {
            throw TraceReadError(offset: 0, problem: "no LLTRACE magic: not a trace written by `layoutlab record`")
        }
        let version = u32(bytes, 8)
        guard version == TraceFormat.version else {
            throw TraceReadError(offset: 8, problem: "trace format version \(version); this lab reads version \(TraceFormat.version)")
        }
        guard Int(u32(bytes, 12)) == TraceFormat.headerBytes else {
            throw TraceReadError(offset: 12, problem: "header of \(u32(bytes, 12)) bytes; version 1 has \(TraceFormat.headerBytes)")
        }
        var trace = Trace(
            pid: u32(bytes, 24), startNs: u64(bytes, 16), threads: 0, sequenceNumbers: 0, droppedEvents: 0, events: [],
            fileBytes: bytes.count)
        var offset = TraceFormat.headerBytes
        var threads = Set<UInt32>()
        var lastSequenceOfThread: [UInt32: UInt64] = [:]
        while true {
            guard offset + 4 <= bytes.count else {
                throw TraceReadError(offset: offset, problem: "the file ends without its end record: truncated (the program was killed, or left by _exit)")
            }
            let magic = u32(bytes, offset)
            if magic == TraceFormat.endMagic {
                guard offset + TraceFormat.endBytes <= bytes.count else {
                    throw TraceReadError(offset: offset, problem: "the end record is cut short: truncated")
                }
                trace.sequenceNumbers = u64(bytes, offset + 8)
                trace.droppedEvents = u64(bytes, offset + 16)
                guard offset + TraceFormat.endBytes == bytes.count else {
                    throw TraceReadError(offset: offset + TraceFormat.endBytes, problem: "\(bytes.count - offset - TraceFormat.endBytes) bytes after the end record")
                }
                break
            }
            guard magic == TraceFormat.chunkMagic else {
                throw TraceReadError(offset: offset, problem: "expected a chunk (CHNK) or the end record (TEND), found 0x\(String(magic, radix: 16))")
            }
            guard offset + TraceFormat.chunkHeaderBytes <= bytes.count else {
                throw TraceReadError(offset: offset, problem: "a chunk header is cut short: truncated")
            }
            let thread = u32(bytes, offset + 4)
            var sequence = u64(bytes, offset + 8)
            let count = Int(u32(bytes, offset + 16))
            let payload = Int(u32(bytes, offset + 20))
            let start = offset + TraceFormat.chunkHeaderBytes
            let end = start + payload
            guard end <= bytes.count else {
                throw TraceReadError(offset: offset, problem: "a chunk of \(payload) bytes runs past the end of the file: truncated")
            }
            if let last = lastSequenceOfThread[thread], sequence <= last {
                throw TraceReadError(offset: offset + 8, problem: "thread \(thread)'s chunk starts at sequence \(sequence), not after its previous event \(last)")
            }
            threads.insert(thread)
            var cursor = start
            for index in 0..<count {
                guard cursor < end else {
                    throw TraceReadError(offset: cursor, problem: "the chunk ends after \(index) of its \(count) events")
                }
                let kindByte = bytes[cursor]
                guard let kind = TraceEvent.Kind(rawValue: kindByte & 0x3F) else {
                    throw TraceReadError(offset: cursor, problem: "unknown event kind \(kindByte & 0x3F)")
                }
                cursor += 1
                let delta = try varint(bytes, &cursor, end: end)
                if index == 0, delta != 0 {
                    throw TraceReadError(offset: cursor, problem: "a chunk's first event has a sequence delta of \(delta), not 0")
                }
                if index > 0, delta == 0 {
                    throw TraceReadError(offset: cursor, problem: "two events of thread \(thread) with one sequence number")
                }
                sequence += delta
                var event = TraceEvent(
                    sequence: sequence, thread: thread, kind: kind, failed: kindByte & TraceFormat.failedFlag != 0,
                    unknownPointer: kindByte & TraceFormat.unknownFlag != 0)
                switch kind {
                case .malloc:
                    event.bytes = try varint(bytes, &cursor, end: end)
                case .calloc:
                    let count = try varint(bytes, &cursor, end: end), size = try varint(bytes, &cursor, end: end)
                    event.bytes = count.multipliedReportingOverflow(by: size).overflow ? UInt64.max : count * size
                case .realloc:
                    event.block = try varint(bytes, &cursor, end: end)
                    event.bytes = try varint(bytes, &cursor, end: end)
                case .free:
                    event.block = try varint(bytes, &cursor, end: end)
                case .posixMemalign, .alignedAlloc, .memalign:
                    event.alignment = try varint(bytes, &cursor, end: end)
                    event.bytes = try varint(bytes, &cursor, end: end)
                case .usableSize:
                    event.block = try varint(bytes, &cursor, end: end)
                    event.bytes = try varint(bytes, &cursor, end: end)
                }
                trace.events.append(event)
            }
            guard cursor == end else {
                throw TraceReadError(offset: cursor, problem: "\(end - cursor) bytes left in a chunk after its \(count) events")
            }
            lastSequenceOfThread[thread] = sequence
            offset = end
        }
        trace.threads = threads.count
        // Chunks of different threads interleave in the file; their events interleave by sequence number.
        trace.events.sort { $0.sequence < $1.sequence }
        var previous: UInt64 = 0
        for event in trace.events {
            guard event.sequence > previous else {
                throw TraceReadError(offset: offset, problem: "sequence number \(event.sequence) recorded twice")
            }
            previous = event.sequence
        }
        return trace
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    private static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
    }

    private static func varint(_ bytes: [UInt8], _ cursor: inout Int, end: Int) throws(TraceReadError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard cursor < end else { throw TraceReadError(offset: cursor, problem: "a number runs past the end of its chunk") }
            let byte = bytes[cursor]
            cursor += 1
            guard shift < 64 else { throw TraceReadError(offset: cursor - 1, problem: "a number longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }
}
