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
/// Threads: a trace of one thread is replayed by `run` on the calling thread. A trace of T threads is replayed by
/// `TraceReplayPool` on T threads, each making its own thread's events in their recorded order (`steps`, grouped by
/// thread, mapped too: 24 more bytes per event). An event that frees, resizes or asks about a block another thread
/// made or last touched waits until that thread has done that event (`Step.waitThread`, `waitPosition`: its published
/// progress must pass that position); every wait is on a lower sequence number, so the sequence order is one the
/// waits allow, and they cannot deadlock. Peak live bytes are then counted after the replay over the recorded
/// sequence order (`countPeak`), from the usable sizes the threads read: the figures a serial replay gives, but
/// for usable sizes that depend on the heap's history (where glibc's realloc grows a block in place).
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

    /// One event of a thread's list: the event, and the other thread's progress it waits for (-1: none; else
    /// thread `waitThread`'s published progress must exceed `waitPosition`, its position of the event waited for).
    struct Step {
        var event: Int
        var waitThread: Int
        var waitPosition: Int
    }

    private let calls: UnsafeMutableBufferPointer<Call>
    /// Per event: the block it made (nil: none, or freed since), its requested and its usable bytes (-1: it made none).
    private let pointers: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>
    private let requested: UnsafeMutableBufferPointer<Int>
    private let usable: UnsafeMutableBufferPointer<Int>
    /// Event counts after which a sample is taken, ascending, the last equal to `events`.
    private let schedule: UnsafeMutableBufferPointer<Int>
    let checkpointCount: Int
    let events: Int
    let replayedCalls: Int
    let traceThreads: Int
    /// Multi-thread traces only (else empty): every event as a `Step`, thread t's at `threadFirst[t] ..<
    /// threadFirst[t + 1]` in recorded order; thread t's local checkpoints at `localSchedule[t]` (`localCount[t]` of
    /// them): for each global checkpoint c, how many of the first `schedule[c]` events of the sequence are t's
    /// (ascending, distinct, zeros left out).
    let steps: UnsafeMutableBufferPointer<Step>
    let threadFirst: [Int]
    /// Threads that made events (0 for a one-thread trace, replayed by `run`): `TraceReplayPool`'s threads.
    var replayThreads: Int { max(threadFirst.count - 1, 0) }
    let localSchedule: [UnsafeMutableBufferPointer<Int>]
    let localCount: [Int]
    /// The index in the schedule of the checkpoint right after the peak (its sample is the phase's sample
    /// `peakCheckpoint + 1`, after the baseline); -1 with no peak.
    let peakCheckpoint: Int
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
        usable.initialize(repeating: -1)
        var slotOfBlock: [UInt64: Int] = [:]
        slotOfBlock.reserveCapacity(count)
        var live = 0, peak = 0, peakAt = 0, replayed = 0
        // Threads (temporary tables from the allocator measured, freed before its purge): the replay thread of each
        // recorded thread (in the order threads first allocated), each event's position in its thread's list, and
        // the last event that made or touched each block.
        // (A thread that flushed an empty chunk counts in `trace.threads`, not here.)
        let ids = trace.threads > 1 ? Set(trace.events.map(\.thread)).sorted() : []
        let threaded = ids.count > 1
        var threadOf: [Int] = [], positionOf: [Int] = [], lastTouch: [Int] = [], first: [Int] = []
        if threaded {
            let indexOf = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, $0.offset) })
            threadOf = trace.events.map { indexOf[$0.thread] ?? 0 }
            var counts = [Int](repeating: 0, count: ids.count)
            positionOf = threadOf.map { thread in
                defer { counts[thread] += 1 }
                return counts[thread]
            }
            first = [0]
            for thread in counts.indices { first.append(first[thread] + counts[thread]) }
            lastTouch = [Int](repeating: -1, count: count)
            steps = try Self.mapped(count, of: Step.self)
        } else {
            steps = UnsafeMutableBufferPointer(start: nil, count: 0)
        }
        threadFirst = first
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
            if threaded {
                let thread = threadOf[index]
                var step = Step(event: index, waitThread: -1, waitPosition: 0)
                if call.code != 0, call.slot >= 0 {
                    let previous = lastTouch[call.slot]
                    if previous >= 0, threadOf[previous] != thread {
                        step.waitThread = threadOf[previous]
                        step.waitPosition = positionOf[previous]
                    }
                    lastTouch[call.slot] = index
                }
                if call.code != 0, event.kind.makesBlock { lastTouch[index] = index }
                steps[first[thread] + positionOf[index]] = step
            }
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
        var peakIndex = -1
        for index in 0..<filled where peakAt > 0 && schedule[index] == peakAt { peakIndex = index }
        peakCheckpoint = peakIndex
        // Each thread's local checkpoints: its events among the first schedule[c] of the sequence.
        var local: [UnsafeMutableBufferPointer<Int>] = [], localFilled: [Int] = []
        if threaded {
            local = (0..<ids.count).map { _ in UnsafeMutableBufferPointer<Int>.allocate(capacity: filled) }
            localFilled = [Int](repeating: 0, count: ids.count)
            var done = [Int](repeating: 0, count: ids.count)
            var next = 0
            for index in 0..<count {
                done[threadOf[index]] += 1
                while next < filled, schedule[next] == index + 1 {
                    for thread in 0..<ids.count where done[thread] > 0 {
                        let filledHere = localFilled[thread]
                        if filledHere == 0 || local[thread][filledHere - 1] < done[thread] {
                            local[thread][filledHere] = done[thread]
                            localFilled[thread] += 1
                        }
                    }
                    next += 1
                }
            }
        }
        localSchedule = local
        localCount = localFilled
    }

    /// Replays every event on this thread, calling `checkpoint(eventsDone)` first with 0 (the baseline), then at
    /// each scheduled count.
    func run(recorder: PhaseRecorder) {
        var next = 0
        var liveRequested = 0, liveUsable = 0, peakRequested = 0, peakUsable = 0, checksum = 0
        recorder.checkpoint(nodesAlive: 0)
        for index in 0..<events {
            let (ended, madeUsable) = perform(index, checksum: &checksum)
            if ended >= 0 {
                liveRequested -= requested[ended]
                liveUsable -= usable[ended]
            }
            if madeUsable >= 0 {
                liveUsable += madeUsable
                liveRequested += calls[index].bytes
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

    /// Makes event `index`'s call. Returns the slot whose block it ended (freed, or resized away; -1: none) and the
    /// usable bytes of the block it made (-1: none), whose pointer and usable bytes it stores at `index`;
    /// malloc_usable_size calls add to `checksum`. Reads and writes only the slots of this event and of the block
    /// it names.
    @inline(__always)
    private func perform(_ index: Int, checksum: inout Int) -> (ended: Int, madeUsable: Int) {
        let call = calls[index]
        var made: UnsafeMutableRawPointer?
        var ended = -1
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
                ended = call.slot
            }
        case TraceEvent.Kind.free.rawValue:
            if let old = pointers[call.slot] {
                free(old)
                pointers[call.slot] = nil
                ended = call.slot
            }
        case TraceEvent.Kind.usableSize.rawValue:
            if let old = pointers[call.slot] { checksum &+= ll_malloc_usable_size(old) }
        default:
            break
        }
        guard let made else { return (ended, -1) }
        // A trace holds no writes; the program wrote its blocks (nearly every program does), so the replay
        // writes every requested byte: RSS then counts the pages the live blocks cover.
        memset(made, 0xA5, call.bytes)
        let size = ll_malloc_usable_size(made)
        pointers[index] = made
        usable[index] = size
        return (ended, size)
    }

    /// Replays thread `thread`'s steps of a multi-thread trace (on a `TraceReplayPool` thread): waits where a step
    /// waits, makes the call, publishes its progress (`published(progress)`, release) after each, and calls
    /// `reached()` after each of its local checkpoints. Returns the malloc_usable_size checksum of its calls.
    @inline(__always)
    func replaySteps(of thread: Int, progress: UnsafeMutablePointer<Int>, progressOf: (Int) -> UnsafeMutablePointer<Int>, reached: () -> Void) -> Int {
        var checksum = 0
        let base = threadFirst[thread], count = threadFirst[thread + 1] - base
        let local = localSchedule[thread], localEnd = localCount[thread]
        var nextLocal = 0
        for position in 0..<count {
            let step = steps[base + position]
            if step.waitThread >= 0 { Self.wait(until: progressOf(step.waitThread), exceeds: step.waitPosition) }
            _ = perform(step.event, checksum: &checksum)
            ll_atomic_store(progress, position + 1)
            if nextLocal < localEnd, local[nextLocal] == position + 1 {
                nextLocal += 1
                reached()
            }
        }
        return checksum
    }

    /// Spins, then yields, then sleeps 20 µs at a time, until `progress` exceeds `position` (acquire: the waited
    /// event's pointer store is then visible).
    @inline(__always)
    private static func wait(until progress: UnsafeMutablePointer<Int>, exceeds position: Int) {
        var tries = 0
        while ll_atomic_load(progress) <= position {
            tries += 1
            if tries < 64 { continue }
            if tries < 1_024 {
                sched_yield()
            } else {
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
                nanosleep(&pause, nil)
            }
        }
    }

    /// After a multi-thread replay: the live requested and usable bytes counted over the recorded sequence order
    /// from what the threads did (a block counts from the event that made it, if the call succeeded, until the
    /// event that ended it), their peak, and the usable-size checksum (the threads' own, summed by the caller).
    /// The replay's waits order every block's events as the sequence does, so this is the order each block lived
    /// in; blocks of different threads were alive together in some other mix, which no single figure describes.
    func countPeak(checksum: Int) {
        var liveRequested = 0, liveUsable = 0, peakRequested = 0, peakUsable = 0
        // Ended blocks are marked in `pointers`' stead (the replay cleared them): `alive` by event, built here.
        var alive = [Bool](repeating: false, count: events)
        for index in 0..<events {
            let call = calls[index]
            var made = false
            switch call.code {
            case 0, TraceEvent.Kind.usableSize.rawValue:
                break
            case TraceEvent.Kind.free.rawValue:
                if alive[call.slot] {
                    alive[call.slot] = false
                    liveRequested -= requested[call.slot]
                    liveUsable -= usable[call.slot]
                }
            default:
                made = usable[index] >= 0
                if call.code == TraceEvent.Kind.realloc.rawValue, call.slot >= 0, alive[call.slot], made || call.bytes == 0 {
                    alive[call.slot] = false
                    liveRequested -= requested[call.slot]
                    liveUsable -= usable[call.slot]
                }
            }
            if made {
                alive[index] = true
                liveRequested += call.bytes
                liveUsable += usable[index]
            }
            if liveRequested > peakRequested {
                peakRequested = liveRequested
                peakUsable = liveUsable
            }
        }
        peakLiveRequestedBytes = peakRequested
        peakLiveUsableBytes = peakUsable
        usableSizeChecksum = checksum
        // The threads' own outcome: a block alive at the end of the replay exactly where the sequence keeps it.
        divergedBlocks = (0..<events).reduce(0) { $0 + ((pointers[$1] != nil) != alive[$1] ? 1 : 0) }
    }

    /// After a multi-thread replay (`countPeak`): blocks alive at the end of the replay that the sequence order
    /// frees, or freed that it keeps (0 unless the threads replayed the events in an order the waits should forbid).
    private(set) var divergedBlocks = 0

    /// The event count of global checkpoint `index` (0 ..< `checkpointCount`).
    func scheduled(_ index: Int) -> Int { schedule[index] }

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
