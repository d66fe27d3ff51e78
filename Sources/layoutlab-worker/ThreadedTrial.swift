#if canImport(Glibc)
import Glibc
#endif
import LayoutLabProtocol
import LayoutLabSampling

/// The threaded entry points of one shape × layout, loaded with `dlopen` beside the classic ones.
struct ThreadedLayoutEntry {
    let prepare: GeneratedCodeABI.ThreadedPrepareEntry
    let slice: GeneratedCodeABI.ThreadedSliceEntry
    let finish: GeneratedCodeABI.ThreadedFinishEntry

    init(libraryPath: String, symbol: String) throws(WorkerFailure) {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            throw WorkerFailure("cannot load \(libraryPath)")
        }
        guard let prepare = dlsym(handle, GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: symbol)),
            let slice = dlsym(handle, GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: symbol)),
            let finish = dlsym(handle, GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: symbol))
        else {
            throw WorkerFailure("\(libraryPath) has no threaded entry points for \(symbol) (threads with a swept bytes shape is not supported)")
        }
        self.prepare = unsafeBitCast(prepare, to: GeneratedCodeABI.ThreadedPrepareEntry.self)
        self.slice = unsafeBitCast(slice, to: GeneratedCodeABI.ThreadedSliceEntry.self)
        self.finish = unsafeBitCast(finish, to: GeneratedCodeABI.ThreadedFinishEntry.self)
    }
}

/// A trial on a pool of T threads (`WorkerRequest.threads` ≥ 1). Thread t owns slice t of the nodes,
/// [b(t), b(t+1)) with b(t) = (t·N/T) rounded down to even and b(T) = N. allocate, traverse, mutate, free-all
/// work on the thread's own slice; free-half and reallocate on its odd nodes (work items b(t)/2 ..< b(t+1)/2);
/// churn on its share of the work items, in a permutation of its own slice; remote-free: thread t frees every
/// node of slice (t+1) mod T (with T = 1 the building thread frees its own). Random orders use a permutation of
/// each slice, so no node is touched by two threads. purge runs on the sampling thread, as in the classic trial.
///
/// Timing: a phase's wall time runs from the first pool thread's start (its return from the start barrier, so the
/// wake-up of parked threads is not counted, their start skew is) to the last thread's end, plus what the sampling
/// thread does for the phase: the container's reservation (allocate) and, after free-all and remote-free, the
/// emptied container's release. Intermediate samples carry that wall time up to the moment they are taken; the last
/// sample is taken after the join.
final class ThreadedTrial {
    let request: WorkerRequest
    let entry: ThreadedLayoutEntry
    let pool: ThreadPool
    let recorder: PhaseRecorder
    let counters: CostCounters
    let figuresReader: AllocatorThreadFiguresReader
    /// Slice bounds: T + 1 of them.
    let bounds: [Int]
    /// A permutation of each slice within its own positions (random orders and churn), or nil.
    let permutation: UnsafeMutableBufferPointer<Int>?
    private(set) var figures: [(phase: Int, ThreadPhaseFigures)] = []

    init(request: WorkerRequest, libraryPath: String, symbol: String, recorder: PhaseRecorder, counters: CostCounters) throws(WorkerFailure) {
        self.request = request
        entry = try ThreadedLayoutEntry(libraryPath: libraryPath, symbol: symbol)
        self.recorder = recorder
        self.counters = counters
        let threads = request.threads, nodes = request.nodes
        // Slices start at even nodes: with fewer than two nodes per thread two slices would share a start (and
        // the release that goes with it). The validator refuses such experiments; a direct request fails here.
        guard nodes >= 2 * threads else { throw WorkerFailure("\(threads) threads need at least \(2 * threads) nodes, got \(nodes)") }
        bounds = (0...threads).map { $0 == threads ? nodes : ($0 * nodes / threads) & ~1 }
        if request.phases.contains(where: \.needsPermutation) {
            let permutation = makePermutation(nodes: nodes, seed: request.seed)
            // Each slice gets its own seeded shuffle of its own positions.
            for t in 0..<threads {
                var generator = SplitMix64(seed: request.seed &+ UInt64(t))
                let low = bounds[t], high = bounds[t + 1]
                for index in low..<high { permutation[index] = index }
                if high - low > 1 {
                    for index in stride(from: high - 1, to: low, by: -1) {
                        permutation.swapAt(index, low + Int(generator.next() % UInt64(index - low + 1)))
                    }
                }
            }
            self.permutation = permutation
        } else {
            permutation = nil
        }
        figuresReader = AllocatorThreadFiguresReader(source: request.allocatorStatistics)
        figures.reserveCapacity(request.phases.count)
        pool = try ThreadPool(threads: threads, checkpoints: request.checkpoints, slice: entry.slice)
    }

    /// Runs every phase; returns their outcomes.
    func run() throws(WorkerFailure) -> [PhaseOutcome] {
        var outcomes = [PhaseOutcome]()
        outcomes.reserveCapacity(request.phases.count)
        var live = 0
        let freeAllCode = PhaseSpec.Kind.freeAll.generatedCode ?? 6
        for (index, phase) in request.phases.enumerated() {
            switch phase.kind {
            case .purge:
                outcomes.append(recorder.purge(phase: index, spec: phase, live: live, allocator: request.allocatorStatistics))
                continue
            case .fork, .idle:
                throw WorkerFailure("a \(phase.kind.rawValue) phase cannot run with threads")
            case .allocate, .allocateWarm:
                if phase.kind == .allocateWarm, let old = pool.handle {
                    Unmanaged<AnyObject>.fromOpaque(old).release()
                    pool.handle = nil
                }
            default:
                guard phase.kind.generatedCode != nil || phase.kind == .remoteFree else {
                    throw WorkerFailure("phase \(phase) cannot run with threads")
                }
            }
            let outcome = runPooled(index: index, phase: phase, liveStart: live, freeAllCode: freeAllCode)
            live = outcome.liveNodes
            outcomes.append(outcome)
        }
        if let failure = recorder.failure { throw WorkerFailure("sampling failed: \(failure)") }
        return outcomes
    }

    /// The work items of thread t in `phase`: its node slice and [first, end).
    func work(of t: Int, phase: PhaseSpec) -> (sliceStart: Int, sliceEnd: Int, first: Int, end: Int) {
        let threads = pool.threads, nodes = request.nodes
        switch phase.kind {
        case .remoteFree:
            let s = (t + 1) % threads
            return (bounds[s], bounds[s + 1], bounds[s], bounds[s + 1])
        case .freeHalf, .reallocate:
            return (bounds[t], bounds[t + 1], bounds[t] / 2, bounds[t + 1] / 2)
        case .churn:
            let total = phase.nodesProcessed(of: nodes)
            guard nodes > 0 else { return (0, 0, 0, 0) }
            return (bounds[t], bounds[t + 1], total * bounds[t] / nodes, total * bounds[t + 1] / nodes)
        default:
            return (bounds[t], bounds[t + 1], bounds[t], bounds[t + 1])
        }
    }

    private func runPooled(index: Int, phase: PhaseSpec, liveStart: Int, freeAllCode: Int) -> PhaseOutcome {
        let threads = pool.threads
        let building = phase.kind == .allocate || phase.kind == .allocateWarm
        for (t, worker) in pool.workers.enumerated() {
            let work = work(of: t, phase: phase)
            worker.assign(sliceStart: work.sliceStart, sliceEnd: work.sliceEnd, first: work.first, end: work.end)
        }
        pool.code = building ? GeneratedCodeABI.threadedAllocateCode : phase.kind == .remoteFree ? freeAllCode : (phase.kind.generatedCode ?? -1)
        pool.permutation = phase.needsPermutation ? permutation.flatMap { UnsafePointer($0.baseAddress) } : nil
        let totalWork = phase.nodesProcessed(of: request.nodes)
        pool.globalCount = fillSchedule(pool.globalSchedule, checkpoints: request.checkpoints, work: totalWork)
        pool.resetForPhase()

        recorder.beginPooled(phase: index, checkpoints: pool.globalCount)
        counters.beginPhase()
        recorder.samplePooled(nodesAlive: liveStart, elapsedNs: 0)
        var prepareNs = 0
        if building {
            let prepareStart = MonotonicClock.nowNanoseconds()
            pool.handle = entry.prepare(request.nodes)
            prepareNs = MonotonicClock.nowNanoseconds() - prepareStart
        }
        let releasedAt = MonotonicClock.nowNanoseconds()
        pool.releaseStart()
        for _ in 0..<max(0, pool.globalCount - 1) {
            pool.waitForCrossing()
            let live = liveStart + pool.liveChange()
            let now = MonotonicClock.nowNanoseconds()
            recorder.samplePooled(nodesAlive: live, elapsedNs: prepareNs + now - (pool.earliestStartNs() ?? releasedAt))
        }
        pool.joinEnd()
        var finishNs = 0
        if phase.kind.freesEveryNode, let handle = pool.handle {
            let finishStart = MonotonicClock.nowNanoseconds()
            entry.finish(handle, freeAllCode)
            finishNs = MonotonicClock.nowNanoseconds() - finishStart
        }
        typealias Slot = GeneratedCodeABI.PhaseResult
        let workers = pool.workers
        var liveEnd = liveStart, firstStart = Int.max, lastEnd = Int.min
        for worker in workers {
            liveEnd += worker.result[Slot.liveNodes.rawValue]
            firstStart = min(firstStart, worker.startNs)
            lastEnd = max(lastEnd, worker.endNs)
        }
        if workers.isEmpty { firstStart = releasedAt; lastEnd = releasedAt }
        let phaseNs = prepareNs + lastEnd - firstStart + finishNs
        recorder.samplePooled(nodesAlive: liveEnd, elapsedNs: phaseNs)
        // A sample the sampling thread took after the pool had finished (it woke late, sharing the cores) is stamped
        // with the wall time it woke at; the work had ended by then, so its elapsed work time is the phase's.
        recorder.clampElapsed(ofPhase: index, toAtMost: phaseNs)

        var phaseCounters = counters.endPhase(index: index)
        phaseCounters.takePool(workers)
        recorder.endPooled(counters: phaseCounters)

        var threadFigures = ThreadPhaseFigures(threads: threads)
        let timed = workers.map { (ns: $0.endNs - $0.startNs, items: $0.end - $0.first) }
        if let slowest = timed.max(by: { $0.ns < $1.ns }), let fastest = timed.min(by: { $0.ns < $1.ns }) {
            threadFigures.slowestThreadNs = slowest.ns
            threadFigures.slowestThreadItems = slowest.items
            threadFigures.fastestThreadNs = fastest.ns
            threadFigures.fastestThreadItems = fastest.items
        }
        figuresReader.read(into: &threadFigures)
        figures.append((index, threadFigures))
        return PhaseOutcome(
            index: index, spec: phase, checksum: workers.reduce(0) { $0 &+ $1.result[Slot.checksum.rawValue] }, liveNodes: liveEnd,
            applicable: workers.allSatisfy { $0.result[Slot.applicable.rawValue] == 1 })
    }
}
