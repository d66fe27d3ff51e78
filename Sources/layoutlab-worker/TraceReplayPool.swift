#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// The threads of a multi-thread trace replay (`TraceReplay` with `replayThreads` T > 1): T threads created in
/// `init`, before the baseline, parked in a start barrier; released together, thread t replays recorded thread
/// t's events in their order (`TraceReplay.replaySteps`), publishing its progress (events done) after each event
/// into its own slot (`poolSlotBytes` apart), where the threads it waits for and the sampling thread read it. A
/// thread that has done its share of the first `schedule[c]` events of the sequence checks the summed progress and
/// posts `crossing` once per global checkpoint it reached (as `ThreadPool` does for node trials); the sampling
/// (main) thread waits on it and samples while the threads work, with the events done so far (the summed
/// progress when it samples, at least the checkpoint's count) as `nodesAlive` and the wall time since the first
/// thread started as `elapsedNs`. The last sample is taken after the join. Nothing is allocated after `init`.
final class TraceReplayPool {
    let replay: TraceReplay
    let threads: Int
    /// T slots: progress at +0, the thread's start time in the replay at +8 (0 until it starts).
    private let slots: UnsafeMutableRawPointer
    private let nextCheckpoint: UnsafeMutablePointer<Int>
    private let crossing: UnsafeMutablePointer<sem_t>
    private let startBarrier: UnsafeMutablePointer<pthread_barrier_t>
    private let endBarrier: UnsafeMutablePointer<pthread_barrier_t>
    let workers: [ReplayWorker]

    init(replay: TraceReplay) throws(WorkerFailure) {
        self.replay = replay
        threads = replay.replayThreads
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
        workers = (0..<threads).map { ReplayWorker(index: $0) }
        for worker in workers {
            worker.pool = self
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { argument in
                guard let argument else { return nil }
                Unmanaged<ReplayWorker>.fromOpaque(argument).takeUnretainedValue().run()
                return nil
            }, Unmanaged.passUnretained(worker).toOpaque())
            guard started == 0 else { throw WorkerFailure("cannot start replay thread \(worker.index): error \(started)") }
        }
        // Never freed: the threads park after the replay, holding `unowned(unsafe)` references, until the process exits.
        _ = Unmanaged.passRetained(self)
    }

    func progress(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes).assumingMemoryBound(to: Int.self) }
    func started(_ t: Int) -> UnsafeMutablePointer<Int> { (slots + t * poolSlotBytes + 8).assumingMemoryBound(to: Int.self) }

    /// Events done, summed over the threads.
    func eventsDone() -> Int {
        var sum = 0
        for t in 0..<threads { sum += ll_atomic_load(progress(t)) }
        return sum
    }

    /// Called by a replay thread at a local checkpoint, after publishing: posts `crossing` once for each global
    /// checkpoint but the last (taken after the join) that the summed progress has reached.
    func signalCrossings() {
        ll_atomic_full_fence()
        var next = ll_atomic_load(nextCheckpoint)
        while next < replay.checkpointCount - 1 {
            guard eventsDone() >= replay.scheduled(next) else { return }
            if ll_atomic_compare_exchange(nextCheckpoint, next, next + 1) != 0 {
                sem_post(crossing)
                next += 1
            } else {
                next = ll_atomic_load(nextCheckpoint)
            }
        }
    }

    /// Replays the trace: the baseline sample, the threads released, a sample at each crossing, the join, the last
    /// sample; then the peak counted over the sequence (`TraceReplay.countPeak`). The phase's counters are the
    /// threads' own (CPU time and rusage summed; no hardware counts: they count one thread).
    func run(recorder: PhaseRecorder, counters: CostCounters) {
        recorder.beginPooled(phase: 0, checkpoints: replay.checkpointCount)
        counters.beginPhase()
        recorder.samplePooled(nodesAlive: 0, elapsedNs: 0)
        let releasedAt = MonotonicClock.nowNanoseconds()
        pthread_barrier_wait(startBarrier)
        for _ in 0..<max(0, replay.checkpointCount - 1) {
            while sem_wait(crossing) != 0, errno == EINTR {}
            let done = eventsDone()
            let now = MonotonicClock.nowNanoseconds()
            var earliest = Int.max
            for t in 0..<threads {
                let start = ll_atomic_load(started(t))
                if start != 0, start < earliest { earliest = start }
            }
            recorder.samplePooled(nodesAlive: done, elapsedNs: now - (earliest == Int.max ? releasedAt : earliest))
        }
        pthread_barrier_wait(endBarrier)
        var firstStart = Int.max, lastEnd = Int.min, checksum = 0
        for worker in workers {
            firstStart = min(firstStart, worker.startNs)
            lastEnd = max(lastEnd, worker.endNs)
            checksum &+= worker.checksum
        }
        let replayNs = lastEnd - firstStart
        recorder.samplePooled(nodesAlive: replay.events, elapsedNs: replayNs)
        // A sample the sampling thread took after the threads had finished is stamped with the time it woke at.
        recorder.clampElapsed(ofPhase: 0, toAtMost: replayNs)
        var phaseCounters = counters.endPhase(index: 0)
        phaseCounters.takePool(workers)
        recorder.endPooled(counters: phaseCounters)
        replay.countPeak(checksum: checksum)
    }

    fileprivate func waitForStart() { pthread_barrier_wait(startBarrier) }
    fileprivate func joinEnd() { pthread_barrier_wait(endBarrier) }
}

/// One replay thread: its index (recorded thread t) and what it measured over its events.
final class ReplayWorker {
    let index: Int
    unowned(unsafe) var pool: TraceReplayPool!
    /// Wall clock at the barrier's release and after its last event, its CPU time, rusage; its usable-size checksum.
    var startNs = 0, endNs = 0, cpuNs = 0, checksum = 0
    var usageStart = ll_thread_usage(), usageEnd = ll_thread_usage()
    var usageOK = false

    init(index: Int) { self.index = index }

    fileprivate func run() {
        let pool: TraceReplayPool = self.pool
        pool.waitForStart()
        usageOK = ll_thread_usage_read(&usageStart) == 0
        let cpuStart = threadCPUNs()
        startNs = MonotonicClock.nowNanoseconds()
        ll_atomic_store(pool.started(index), startNs)
        checksum = pool.replay.replaySteps(
            of: index, progress: pool.progress(index), progressOf: { pool.progress($0) }, reached: { pool.signalCrossings() })
        endNs = MonotonicClock.nowNanoseconds()
        cpuNs = threadCPUNs() - cpuStart
        usageOK = usageOK && ll_thread_usage_read(&usageEnd) == 0
        pool.joinEnd()
        // Parked until the process exits: a thread that ended now would run the allocator's thread-exit work (its
        // cache flushed, its arena released) during the last sample.
        pool.waitForStart()
    }
}
