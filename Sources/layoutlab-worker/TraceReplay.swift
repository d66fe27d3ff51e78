#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol

/// Replays an allocation trace (`TraceFormat`, read with `TraceReader`) under the allocator that serves this
/// process's malloc: the same calls with the same sizes in the same order, each block freed or resized by the
/// event that did so when it was recorded. Everything is prepared in `init`, before the baseline: the file is
/// read and decoded, the events are turned into a compact array of calls (`Call`, 32 bytes each), and the block
/// table (the pointer, requested and usable bytes of the block each event made) is allocated and touched. The
/// calls and the table (56 bytes per event) are mapped with mmap, not taken from the allocator measured, so that
/// the replay's own bookkeeping neither sits in its heap nor leaves it memory to reuse; the decoding's temporary
/// buffers do come from it, and the caller asks the allocator to purge them before the baseline. Between
/// checkpoints the replay makes only the replayed calls, writes every requested byte of each block it made (a
/// trace records no writes; the program wrote its blocks, and RSS should count the pages they cover), reads its
/// own `malloc_usable_size` of each (the replay's measurement, not a traced event), and adds and compares integers.
///
/// Threads: a trace of several threads is replayed on one thread, in the global order of its sequence numbers
/// (`replayThreads` is 1): the order between threads is kept, the concurrency is not.
/// Skipped events: failed calls (no block was made; replaying one could make a block nobody frees), frees and
/// reallocs of a pointer the tracer did not know (free of NULL included), malloc_usable_size of no known block. A
/// realloc of an unknown pointer is replayed as realloc(NULL, size). A calloc is replayed as calloc(1, count ×
/// size) (the trace keeps the product only).
final class TraceReplay {
    /// One event as the replay makes it: `code` (`TraceEvent.Kind` raw value, 0: skipped), the slot of the block it
    /// frees, resizes or asks about (-1: none), the requested bytes and the alignment.
    private struct Call {
        var code: UInt8
        var slot: Int
        var bytes: Int
        var alignment: Int
    }

    private let calls: UnsafeMutableBufferPointer<Call>
    /// Per event: the block it made (nil: none, or freed since), its requested and its usable bytes.
    private let pointers: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>
    private let requested: UnsafeMutableBufferPointer<Int>
    private let usable: UnsafeMutableBufferPointer<Int>
    /// Event counts after which a sample is taken, ascending, the last equal to `events`.
    private let schedule: UnsafeMutableBufferPointer<Int>
    let checkpointCount: Int
    let events: Int
    let replayedCalls: Int
    let traceThreads: Int
    /// Events done when the live requested bytes first reach their peak (counted from the trace before the replay).
    let peakEvents: Int
    private(set) var peakLiveRequestedBytes = 0
    private(set) var peakLiveUsableBytes = 0
    /// What the replayed malloc_usable_size calls returned, summed, so that no call can be left out.
    private(set) var usableSizeChecksum = 0

    init(path: String, checkpoints: Int) throws(WorkerFailure) {
        let bytes = try Self.readFile(path)
        let trace: Trace
        do throws(TraceReadError) {
            trace = try TraceReader.read(bytes)
        } catch {
            throw WorkerFailure("trace \(path): \(error)")
        }
        let count = trace.events.count
        events = count
        traceThreads = trace.threads
        calls = try Self.mapped(count, of: Call.self)
        calls.initialize(repeating: Call(code: 0, slot: -1, bytes: 0, alignment: 0))
        pointers = try Self.mapped(count, of: UnsafeMutableRawPointer?.self)
        pointers.initialize(repeating: nil)
        requested = try Self.mapped(count, of: Int.self)
        requested.initialize(repeating: 0)
        usable = try Self.mapped(count, of: Int.self)
        usable.initialize(repeating: 0)
        var slotOfBlock: [UInt64: Int] = [:]
        slotOfBlock.reserveCapacity(count)
        var live = 0, peak = 0, peakAt = 0, replayed = 0
        for (index, event) in trace.events.enumerated() {
            var call = Call(code: 0, slot: -1, bytes: Int(clamping: event.bytes), alignment: Int(clamping: event.alignment))
            let known = event.block == 0 || event.unknownPointer ? nil : slotOfBlock[event.block]
            if !event.failed {
                switch event.kind {
                case .malloc, .calloc, .posixMemalign, .alignedAlloc, .memalign:
                    call.code = event.kind.rawValue
                case .realloc:
                    call.code = event.kind.rawValue
                    call.slot = known ?? -1
                    if let known { live -= requested[known] }
                case .free:
                    if let known {
                        call.code = event.kind.rawValue
                        call.slot = known
                        live -= requested[known]
                    }
                case .usableSize:
                    if let known {
                        call.code = event.kind.rawValue
                        call.slot = known
                    }
                }
            }
            if call.code != 0 { replayed += 1 }
            if call.code != 0, event.kind.makesBlock {
                slotOfBlock[event.sequence] = index
                requested[index] = call.bytes
                live += call.bytes
            }
            if live > peak {
                peak = live
                peakAt = index + 1
            }
            calls[index] = call
        }
        replayedCalls = replayed
        peakEvents = peakAt
        // The experiment's checkpoints spread over the events, and one right after the peak (for RSS there).
        schedule = .allocate(capacity: max(checkpoints, 1) + 1)
        var filled = fillSchedule(schedule, checkpoints: checkpoints, work: max(count, 1))
        if peakAt > 0, !schedule[0..<filled].contains(peakAt) {
            var at = filled
            while at > 0, schedule[at - 1] > peakAt {
                schedule[at] = schedule[at - 1]
                at -= 1
            }
            schedule[at] = peakAt
            filled += 1
        }
        checkpointCount = filled
    }

    /// Replays every event, calling `checkpoint(eventsDone)` first with 0 (the baseline), then at each scheduled
    /// count.
    func run(recorder: PhaseRecorder) {
        var next = 0
        var liveRequested = 0, liveUsable = 0, peakRequested = 0, peakUsable = 0, checksum = 0
        recorder.checkpoint(nodesAlive: 0)
        for index in 0..<events {
            let call = calls[index]
            var made: UnsafeMutableRawPointer?
            switch call.code {
            case TraceEvent.Kind.malloc.rawValue:
                made = malloc(call.bytes)
            case TraceEvent.Kind.calloc.rawValue:
                made = calloc(1, call.bytes)
            case TraceEvent.Kind.posixMemalign.rawValue:
                var pointer: UnsafeMutableRawPointer?
                made = posix_memalign(&pointer, call.alignment, call.bytes) == 0 ? pointer : nil
            case TraceEvent.Kind.alignedAlloc.rawValue:
                made = aligned_alloc(call.alignment, call.bytes)
            case TraceEvent.Kind.memalign.rawValue:
                made = ll_memalign(call.alignment, call.bytes)
            case TraceEvent.Kind.realloc.rawValue:
                let old = call.slot >= 0 ? pointers[call.slot] : nil
                made = realloc(old, call.bytes)
                if call.slot >= 0, old != nil, made != nil || call.bytes == 0 {
                    // glibc's realloc(p, 0) frees p and returns NULL; the others return a block.
                    pointers[call.slot] = nil
                    liveRequested -= requested[call.slot]
                    liveUsable -= usable[call.slot]
                }
            case TraceEvent.Kind.free.rawValue:
                if let old = pointers[call.slot] {
                    free(old)
                    pointers[call.slot] = nil
                    liveRequested -= requested[call.slot]
                    liveUsable -= usable[call.slot]
                }
            case TraceEvent.Kind.usableSize.rawValue:
                if let old = pointers[call.slot] { checksum &+= ll_malloc_usable_size(old) }
            default:
                break
            }
            if let made {
                // A trace holds no writes; the program wrote its blocks (nearly every program does), so the replay
                // writes every requested byte: RSS then counts the pages the live blocks cover.
                memset(made, 0xA5, call.bytes)
                let size = ll_malloc_usable_size(made)
                pointers[index] = made
                usable[index] = size
                liveUsable += size
                liveRequested += call.bytes
            }
            if liveRequested > peakRequested {
                peakRequested = liveRequested
                peakUsable = liveUsable
            }
            if next < checkpointCount, index + 1 == schedule[next] {
                next += 1
                recorder.checkpoint(nodesAlive: index + 1)
            }
        }
        peakLiveRequestedBytes = peakRequested
        peakLiveUsableBytes = peakUsable
        usableSizeChecksum = checksum
    }

    /// Room for `count` values (at least one) in anonymous memory of its own (mmap), outside every allocator's heap;
    /// never unmapped (the worker exits after the trial).
    private static func mapped<T>(_ count: Int, of type: T.Type) throws(WorkerFailure) -> UnsafeMutableBufferPointer<T> {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        guard let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), memory != MAP_FAILED else {
            throw WorkerFailure("cannot map \(bytes) bytes for the replay's tables: \(String(cString: strerror(errno)))")
        }
        return UnsafeMutableBufferPointer(start: memory.bindMemory(to: T.self, capacity: max(count, 1)), count: max(count, 1))
    }

    /// The whole file, read with read(2) (the worker links no Foundation).
    private static func readFile(_ path: String) throws(WorkerFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WorkerFailure("trace \(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw WorkerFailure("trace \(path): cannot read: \(String(cString: strerror(errno)))") }
            if got == 0 { return bytes }
            bytes += buffer[0..<got]
        }
    }
}
