#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

// One trial in one fresh process. Everything the measured phases need (proc files, sample storage,
// checkpoint schedule, permutation, the generated entry points) is prepared first; nothing is written until
// the last phase is over. Replies go to stdout as `WorkerReply` lines; exit status 1 with a `failure` line.

/// Fills `schedule` with work counts evenly spaced up to `work`: `checkpoints` of them, or one per work item
/// when there are fewer items than checkpoints. Returns how many it wrote.
func fillSchedule(_ schedule: UnsafeMutableBufferPointer<Int>, checkpoints: Int, work: Int) -> Int {
    let count = max(1, min(checkpoints, work))
    for index in 0..<count {
        schedule[index] = Int((Double(work) * Double(index + 1) / Double(count)).rounded())
    }
    schedule[count - 1] = work
    return count
}

/// A seeded Fisher–Yates permutation of 0..<nodes, for random orders and churn.
func makePermutation(nodes: Int, seed: UInt64) -> UnsafeMutableBufferPointer<Int> {
    let permutation = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(nodes, 1))
    for index in 0..<nodes { permutation[index] = index }
    var generator = SplitMix64(seed: seed)
    if nodes > 1 {
        for index in stride(from: nodes - 1, to: 0, by: -1) {
            permutation.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
    }
    return permutation
}

/// The checkpoint callback of the measured phases: hands the sample to the `PhaseRecorder` in `context`.
/// A named C symbol, so that an instruction counter can leave sampling out of a phase's count as the
/// clock leaves it out of its time (`callgrind --toggle-collect=layoutlab_worker_checkpoint`, see
/// `layoutlab calibrate`).
@_cdecl("layoutlab_worker_checkpoint")
func layoutlabWorkerCheckpoint(_ context: UnsafeMutableRawPointer?, _ nodes: Int) {
    guard let context else { return }
    Unmanaged<PhaseRecorder>.fromOpaque(context).takeUnretainedValue().checkpoint(nodesAlive: nodes)
}

func runTrial(_ request: WorkerRequest) throws(WorkerFailure) -> [WorkerReply] {
    _ = ll_die_with_parent(getenv("LAYOUTLAB_RUNNER_PID").flatMap { Int32(String(cString: $0)) } ?? 0)
    let fault = try FaultInjection.fromEnvironment(trialID: request.trialID, underCallgrind: request.instructions == .valgrind)
    if case .program(let launch) = request.layout {
        // The monitor runs without the allocator: the program gets it, and proving it is the agent's (to come).
        return try ProgramMonitor(launch).run(phase: request.phases[0])
    }
    let identity = try MallocProviderCheck.verify(
        expected: request.expectedMallocProvider, statistics: request.allocatorStatistics)
    if case .trace(let path) = request.layout {
        return try replayTrial(request, path: path, identity: identity)
    }
    guard case .generated(let libraryPath, let entrySymbol) = request.layout else {
        throw WorkerFailure("the Swift worker builds generated layouts only; Python layouts run in python_worker.py")
    }
    let entry = try GeneratedLayoutEntry(libraryPath: libraryPath, symbol: entrySymbol)
    let (sampler, counters) = try samplerAndCounters(for: request)
    // Built before the baseline, so its pages are in every phase's starting RSS and in no difference.
    // A threaded trial builds its own, a permutation of each thread's slice (see ThreadedTrial).
    let permutation = request.threads == 0 && request.phases.contains(where: \.needsPermutation)
        ? makePermutation(nodes: request.nodes, seed: request.seed) : nil
    // Fork phases' children report through buffers made here, before the baseline.
    let forkPhase = request.phases.contains { $0.kind == .fork } ? ForkPhase(fault: fault, phases: request.phases) : nil
    // Warm the sampler's code and buffers so the baseline does not pay for first use.
    _ = try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true)
    counters.warm()

    let checkpoints = request.checkpoints
    let schedule = UnsafeMutableBufferPointer<Int>.allocate(capacity: checkpoints)
    guard let scheduleStart = schedule.baseAddress else { throw WorkerFailure("no checkpoints") }
    var outcomes = [PhaseOutcome]()
    outcomes.reserveCapacity(request.phases.count)
    var result = [Int](repeating: 0, count: GeneratedCodeABI.PhaseResult.allCases.count)
    let recorder = PhaseRecorder(
        sampler: sampler, counters: counters, smaps: request.smaps, allocatorSchedule: request.allocatorSchedule, checkpoints: checkpoints,
        phases: request.phases.count, fault: fault)
    let context = Unmanaged.passUnretained(recorder).toOpaque()
    let recordCheckpoint: CheckpointCallback = layoutlabWorkerCheckpoint

    var threadFigures: [(phase: Int, ThreadPhaseFigures)] = []
    if request.threads >= 1 {
        // The pool (and its threads) exist before the allocate baseline; see ThreadedTrial.
        let threaded = try ThreadedTrial(request: request, libraryPath: libraryPath, symbol: entrySymbol, recorder: recorder, counters: counters)
        outcomes = try threaded.run()
        threadFigures = threaded.figures
    } else {
        let allocateCheckpoints = fillSchedule(schedule, checkpoints: checkpoints, work: request.nodes)
        recorder.begin(phase: 0, checkpoints: allocateCheckpoints)
        // The nodes stay alive until the process exits unless a phase frees them: freeing millions of them
        // at the end would only cost time.
        var handle = entry.function(request.nodes, scheduleStart, allocateCheckpoints, context, recordCheckpoint)
        recorder.end()
        outcomes.append(PhaseOutcome(index: 0, spec: request.phases[0], checksum: 0, liveNodes: request.nodes, applicable: true))

        for (index, phase) in request.phases.enumerated().dropFirst() {
            if phase.kind == .purge {
                outcomes.append(recorder.purge(
                    phase: index, spec: phase, live: recorder.lastNodesAlive, allocator: request.allocatorStatistics))
                continue
            }
            if phase.kind == .idle {
                outcomes.append(recorder.idle(phase: index, spec: phase, live: recorder.lastNodesAlive, checkpoints: checkpoints))
                continue
            }
            if phase.kind == .allocateWarm {
                // The same entry point as allocate, after free-all: the emptied holder goes first, outside the phase.
                Unmanaged<AnyObject>.fromOpaque(handle).release()
                let warmCheckpoints = fillSchedule(schedule, checkpoints: checkpoints, work: request.nodes)
                recorder.begin(phase: index, checkpoints: warmCheckpoints)
                handle = entry.function(request.nodes, scheduleStart, warmCheckpoints, context, recordCheckpoint)
                recorder.end()
                outcomes.append(PhaseOutcome(index: index, spec: phase, checksum: 0, liveNodes: recorder.lastNodesAlive, applicable: true))
                continue
            }
            if phase.kind == .fork, let forkPhase {
                let order = phase.needsPermutation ? permutation.flatMap { UnsafePointer($0.baseAddress) } : nil
                outcomes.append(try forkPhase.run(
                    index: index, spec: phase, handle: handle, entry: entry, order: order, nodes: request.nodes, recorder: recorder))
                continue
            }
            guard let code = phase.kind.generatedCode else { throw WorkerFailure("phase \(phase) cannot run after allocate") }
            let phaseCheckpoints = fillSchedule(schedule, checkpoints: checkpoints, work: phase.nodesProcessed(of: request.nodes))
            let order = phase.needsPermutation ? permutation.flatMap { UnsafePointer($0.baseAddress) } : nil
            recorder.begin(phase: index, checkpoints: phaseCheckpoints)
            entry.phase(handle, code, order, scheduleStart, phaseCheckpoints, context, recordCheckpoint, &result)
            recorder.end()
            typealias Slot = GeneratedCodeABI.PhaseResult
            outcomes.append(PhaseOutcome(
                index: index, spec: phase, checksum: result[Slot.checksum.rawValue], liveNodes: result[Slot.liveNodes.rawValue],
                applicable: result[Slot.applicable.rawValue] == 1))
        }
    }
    if let failure = recorder.failure { throw WorkerFailure("sampling failed: \(failure)") }

    // Made after the measured phases: its size table is allocated here, before the probe counts anything.
    let probeRecorder = ProbeRecorder(nodeMetadata: entry.nodeMetadata())
    var probeSchedule = min(request.probeNodes, request.nodes)
    let recordProbe: CheckpointCallback = { context, nodes in
        guard let context else { return }
        Unmanaged<ProbeRecorder>.fromOpaque(context).takeUnretainedValue().checkpoint(nodesAlive: nodes)
    }
    var probe: AllocationProbe?
    if probeSchedule > 0 {
        let nodes = probeSchedule
        let probeHandle = entry.function(nodes, &probeSchedule, 1, Unmanaged.passUnretained(probeRecorder).toOpaque(), recordProbe)
        Unmanaged<AnyObject>.fromOpaque(probeHandle).release()
        probe = probeRecorder.probe(nodes: nodes)
    }

    var replies: [WorkerReply] = [.identity(mallocProvider: identity.provider, allocatorVersion: identity.version)]
    replies += recorder.recorded.map { WorkerReply.sample(phaseIndex: $0.phase, $0.sample) }
    replies += outcomes.map { WorkerReply.phase($0) }
    replies += forkPhase?.replies ?? []
    replies += outcomes.map { WorkerReply.counters(phaseIndex: $0.index, recorder.counters(ofPhase: $0.index)) }
    replies += threadFigures.map { WorkerReply.threads(phaseIndex: $0.phase, $0.1) }
    if let probe { replies.append(.probe(probe)) }
    replies.append(.done)
    return replies
}

/// A trace replay (`WorkerLayout.trace`): one phase (index 0, the request's first) that replays every event of
/// the trace, sampled at the request's checkpoints spread over the events and right after the trace's peak of live
/// requested bytes; then its `replay` figures. Nodes, the probe and the later phases do not apply.
func replayTrial(_ request: WorkerRequest, path: String, identity: (provider: String, version: String?)) throws(WorkerFailure) -> [WorkerReply] {
    let replay = try TraceReplay(path: path, checkpoints: request.checkpoints)
    // A trace of several threads is replayed on as many, started (and parked) before the baseline.
    let pool = replay.replayThreads > 1 ? try TraceReplayPool(replay: replay) : nil
    // The decoding's temporary buffers (the file, the decoded events, the block index) came from the allocator
    // measured: it is asked to give them back, so that the replay starts on a heap that holds none of them.
    _ = request.allocatorStatistics.purge()
    let (sampler, counters) = try samplerAndCounters(for: request)
    _ = try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true)
    counters.warm()
    let recorder = PhaseRecorder(
        sampler: sampler, counters: counters, smaps: request.smaps, allocatorSchedule: request.allocatorSchedule,
        checkpoints: replay.checkpointCount, phases: 1, fault: nil)
    if let pool {
        pool.run(recorder: recorder, counters: counters)
        guard replay.divergedBlocks == 0 else {
            throw WorkerFailure("trace \(path): the replay on \(pool.threads) threads left \(replay.divergedBlocks) block(s) alive or freed against the recorded order")
        }
    } else {
        recorder.begin(phase: 0, checkpoints: replay.checkpointCount)
        replay.run(recorder: recorder)
        recorder.end()
    }
    if let failure = recorder.failure { throw WorkerFailure("sampling failed: \(failure)") }
    let samples = recorder.recorded
    // The sample of the checkpoint right after the peak (the baseline is sample 0).
    let peakSample = replay.peakCheckpoint + 1
    let atPeak = replay.peakCheckpoint >= 0 && peakSample < samples.count ? samples[peakSample].sample.rssBytes : nil
    let figures = ReplayFigures(
        events: replay.events, replayedCalls: replay.replayedCalls, peakEvents: replay.peakEvents,
        peakLiveRequestedBytes: replay.peakLiveRequestedBytes, peakLiveUsableBytes: replay.peakLiveUsableBytes,
        rssAtPeakBytes: atPeak, replayThreads: pool?.threads ?? 1, traceThreads: replay.traceThreads)
    let outcome = PhaseOutcome(
        index: 0, spec: request.phases[0], checksum: replay.usableSizeChecksum, liveNodes: replay.events, applicable: true)
    var replies: [WorkerReply] = [.identity(mallocProvider: identity.provider, allocatorVersion: identity.version)]
    replies += samples.map { WorkerReply.sample(phaseIndex: $0.phase, $0.sample) }
    replies += [.phase(outcome), .counters(phaseIndex: 0, recorder.counters(ofPhase: 0)), .replay(figures), .done]
    return replies
}

do throws(WorkerFailure) {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--calibrate-samplers" {
        guard arguments.count == 3, let mib = Int(arguments[1]), let repetitions = Int(arguments[2]), repetitions > 0 else {
            throw WorkerFailure("usage: layoutlab-worker --calibrate-samplers RESIDENT_MIB REPETITIONS")
        }
        for line in try SamplerBenchmark.run(residentMiB: mib, repetitions: repetitions) { print(line) }
        exit(0)
    }
    let request: WorkerRequest
    do throws(WorkerProtocolError) {
        request = try WorkerRequest(arguments: arguments)
    } catch {
        throw WorkerFailure("bad request: \(error)")
    }
    for reply in try runTrial(request) { print(reply.line) }
    exit(0)
} catch {
    print(WorkerReply.failure(error.message).line)
    exit(1)
}

/// The trial's memory sampler and cost counters, opened before its baseline.
func samplerAndCounters(for request: WorkerRequest) throws(WorkerFailure) -> (MemorySampler, CostCounters) {
    let sampler: MemorySampler
    do throws(ProcFileError) {
        sampler = try MemorySampler(allocatorSource: request.allocatorStatistics)
    } catch {
        throw WorkerFailure("cannot open /proc: \(error)")
    }
    do throws(CostCounterError) {
        return (sampler, try CostCounters(instructions: request.instructions))
    } catch {
        throw WorkerFailure(error.description)
    }
}
