#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// The bytes between two pool threads' published progress: two cache lines, so neither the line nor its
/// adjacent-line prefetch pair is shared.
let poolSlotBytes = 128

/// A pool of T threads for a threaded trial (`WorkerRequest.threads` ≥ 1), created before the baseline and alive
/// for the whole trial, parked in a barrier between phases. Each phase releases all T together behind the start
/// barrier; each thread runs its slice of the phase through the generated `ThreadedSliceEntry` and publishes its
/// progress (work items done, live change) into its own slot at its local checkpoints. The thread whose publish
/// makes the global sum cross the next global checkpoint posts `crossing`; the sampling (main) thread waits on it
/// and samples. Pool threads never wait for sampling. Everything is allocated in `init`.
final class ThreadPool {
    let threads: Int
    let workers: [PoolWorker]
    /// T slots of `poolSlotBytes`: progress at +0, live change at +8, the thread's free counter at +16, its start
    /// time in the phase at +24 (0 until it starts).
    let slots: UnsafeMutableRawPointer
    /// The index of the next global checkpoint to signal, in a cache line of its own.
    let nextCheckpoint: UnsafeMutablePointer<Int>
    let crossing: UnsafeMutablePointer<sem_t>
    let startBarrier: UnsafeMutablePointer<pthread_barrier_t>
    let endBarrier: UnsafeMutablePointer<pthread_barrier_t>
    /// The global checkpoints (work counts) of the current phase, and how many.
    let globalSchedule: UnsafeMutableBufferPointer<Int>
    var globalCount = 0
    /// What the current phase runs, set by the sampling thread before the start barrier.
    var slice: GeneratedCodeABI.ThreadedSliceEntry
    var handle: UnsafeMutableRawPointer?
    var code = 0
    var permutation: UnsafePointer<Int>?
    var quit = false

    init(threads: Int, checkpoints: Int, slice: GeneratedCodeABI.ThreadedSliceEntry) throws(WorkerFailure) {
        self.threads = threads
        self.slice = slice
        slots = UnsafeMutableRawPointer.allocate(byteCount: threads * poolSlotBytes, alignment: poolSlotBytes)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: threads * poolSlotBytes)
        nextCheckpoint = UnsafeMutableRawPointer.allocate(byteCount: poolSlotBytes, alignment: poolSlotBytes).bindMemory(to: Int.self, capacity: 1)
        nextCheckpoint.initialize(to: 0)
        crossing = .allocate(capacity: 1)
        sem_init(crossing, 0, 0)
        startBarrier = .allocate(capacity: 1)
        endBarrier = .allocate(capacity: 1)
        pthread_barrier_init(startBarrier, nil, UInt32(threads + 1))
        pthread_barrier_init(endBarrier, nil, UInt32(threads + 1))
        globalSchedule = .allocate(capacity: max(checkpoints, 1))
        globalSchedule.initialize(repeating: 0)
        let slotBase = slots
        workers = (0..<threads).map { PoolWorker(index: $0, slot: slotBase + $0 * poolSlotBytes, checkpoints: checkpoints) }
        for worker in workers {
            worker.pool = self
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { argument in
                guard let argument else { return nil }
                Unmanaged<PoolWorker>.fromOpaque(argument).takeUnretainedValue().loop()
                return nil
            }, Unmanaged.passUnretained(worker).toOpaque())
            guard started == 0 else { throw WorkerFailure("cannot start pool thread \(worker.index): error \(started)") }
            worker.thread = thread
        }
        // Never freed: the threads park in the start barrier after the last phase and stay there, holding
        // `unowned(unsafe)` references to the pool (no reference counting on the checkpoint path), until the
        // process exits.
        _ = Unmanaged.passRetained(self)
    }

    /// Thread t's published progress and live change, and its free counter.
    func progress(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes).assumingMemoryBound(to: Int.self) }
    func live(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes + 8).assumingMemoryBound(to: Int.self) }
    func freed(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes + 16).assumingMemoryBound(to: Int.self) }

    func started(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes + 24).assumingMemoryBound(to: Int.self) }

    /// The earliest start time (`CLOCK_MONOTONIC` ns) the threads have published in this phase, or nil if none has started.
    /// A loop, not map/filter: the sampling thread calls it between checkpoints, where nothing may allocate.
    func earliestStartNs() -> Int? {
        var earliest: Int?
        for t in 0..<threads {
            let start = ll_atomic_load(started(t))
            if start != 0, start < (earliest ?? Int.max) { earliest = start }
        }
        return earliest
    }

    /// The sum of every thread's published live change.
    func liveChange() -> Int { (0..<threads).reduce(0) { $0 + ll_atomic_load(live($1)) } }

    /// Called by a pool thread after publishing: posts `crossing` once for each global checkpoint (but the last,
    /// which the sampling thread takes after the join) that the sum of progress has now reached.
    func signalCrossings() {
        var next = ll_atomic_load(nextCheckpoint)
        while next < globalCount - 1 {
            var sum = 0
            for t in 0..<threads { sum += ll_atomic_load(progress(t)) }
            guard sum >= globalSchedule[next] else { return }
            if ll_atomic_compare_exchange(nextCheckpoint, next, next + 1) != 0 {
                sem_post(crossing)
                next += 1
            } else {
                next = ll_atomic_load(nextCheckpoint)
            }
        }
    }

    /// Resets the slots for a phase; the caller has set every worker's work and the pool's phase fields.
    func resetForPhase() {
        for t in 0..<threads {
            ll_atomic_store(progress(t), 0)
            ll_atomic_store(live(t), 0)
            freed(t).pointee = 0
            ll_atomic_store(started(t), 0)
        }
        ll_atomic_store(nextCheckpoint, 0)
    }

    /// Waits for the next crossing post (retrying on signals).
    func waitForCrossing() {
        while sem_wait(crossing) != 0, errno == EINTR {}
    }

    func releaseStart() { pthread_barrier_wait(startBarrier) }
    func joinEnd() { pthread_barrier_wait(endBarrier) }
}

/// One pool thread: its work in the current phase (slice, work items, local checkpoints) and what it measured.
final class PoolWorker {
    let index: Int
    let slot: UnsafeMutableRawPointer
    unowned(unsafe) var pool: ThreadPool!
    var thread = pthread_t()
    /// The local checkpoints: absolute work counts in [first, end].
    let schedule: UnsafeMutableBufferPointer<Int>
    var scheduleCount = 0
    var sliceStart = 0, sliceEnd = 0, first = 0, end = 0
    var result = [Int](repeating: 0, count: GeneratedCodeABI.PhaseResult.allCases.count)
    /// Wall clock at the barrier's release and at the last item, CPU time and rusage over the slice.
    var startNs = 0, endNs = 0, cpuNs = 0
    var usageStart = ll_thread_usage(), usageEnd = ll_thread_usage()
    var usageOK = false

    /// Local checkpoints per global checkpoint: fine enough that a crossing is seen within a quarter step.
    static let localPerGlobal = 4

    init(index: Int, slot: UnsafeMutableRawPointer, checkpoints: Int) {
        self.index = index
        self.slot = slot
        schedule = .allocate(capacity: max(checkpoints, 1) * Self.localPerGlobal)
        schedule.initialize(repeating: 0)
    }

    /// Sets this thread's work for the next phase and its local checkpoints.
    func assign(sliceStart: Int, sliceEnd: Int, first: Int, end: Int) {
        self.sliceStart = sliceStart
        self.sliceEnd = sliceEnd
        self.first = first
        self.end = end
        let items = end - first
        scheduleCount = min(items, schedule.count)
        for k in 0..<scheduleCount {
            schedule[k] = first + Int((Double(items) * Double(k + 1) / Double(scheduleCount)).rounded())
        }
        if scheduleCount > 0 { schedule[scheduleCount - 1] = end }
    }

    func loop() {
        while true {
            pool.releaseStart()
            if pool.quit { return }
            run()
            pool.joinEnd()
        }
    }

    private func run() {
        usageOK = ll_thread_usage_read(&usageStart) == 0
        let cpuStart = threadCPUNs()
        startNs = MonotonicClock.nowNanoseconds()
        ll_atomic_store((slot + 24).assumingMemoryBound(to: Int.self), startNs)
        guard let handle = pool.handle, let base = schedule.baseAddress else { return }
        let freed = (slot + 16).assumingMemoryBound(to: Int.self)
        result.withUnsafeMutableBufferPointer { result in
            pool.slice(
                handle, pool.code, sliceStart, sliceEnd, first, end, pool.permutation, UnsafePointer(base), scheduleCount,
                Unmanaged.passUnretained(self).toOpaque(), poolThreadCheckpoint, freed, result.baseAddress!)
        }
        endNs = MonotonicClock.nowNanoseconds()
        cpuNs = threadCPUNs() - cpuStart
        usageOK = usageOK && ll_thread_usage_read(&usageEnd) == 0
    }

    /// Publishes this thread's progress: the live change first, then the items (release), so that whoever sees
    /// the items sees a live change at least as recent.
    @inline(__always)
    func publish(items: Int, live: Int) {
        ll_atomic_store((slot + 8).assumingMemoryBound(to: Int.self), live)
        ll_atomic_store(slot.assumingMemoryBound(to: Int.self), items)
        ll_atomic_full_fence()
        pool.signalCrossings()
    }
}

/// The local checkpoint callback of the pool threads (`GeneratedCodeABI.ThreadCheckpoint`).
let poolThreadCheckpoint: GeneratedCodeABI.ThreadCheckpoint = { context, items, live in
    guard let context else { return }
    Unmanaged<PoolWorker>.fromOpaque(context).takeUnretainedValue().publish(items: items, live: live)
}

/// This thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), in ns.
func threadCPUNs() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}
