#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabSampling

// One trial in one fresh process. Everything the measured phase needs (proc files, sample storage,
// checkpoint schedule, the generated entry point) is prepared first; nothing is written until the phase
// is over. Replies go to stdout as `WorkerReply` lines; exit status 1 with a `failure` line on error.

func runTrial(_ request: WorkerRequest) throws(WorkerFailure) -> [WorkerReply] {
    _ = ll_die_with_parent()
    let fault = try FaultInjection.fromEnvironment(trialID: request.trialID)
    let identity = try MallocProviderCheck.verify(
        expected: request.expectedMallocProvider, statistics: request.allocatorStatistics)
    let entry = try GeneratedLayoutEntry(libraryPath: request.libraryPath, symbol: request.entrySymbol)
    let sampler: MemorySampler
    do throws(ProcFileError) {
        sampler = try MemorySampler(allocatorSource: request.allocatorStatistics)
    } catch {
        throw WorkerFailure("cannot open /proc: \(error)")
    }
    // Warm the sampler's code and buffers so the baseline does not pay for first use.
    _ = try? sampler.take(nodesAlive: 0, elapsedNs: 0, includeSmaps: true)

    let schedule = UnsafeMutableBufferPointer<Int>.allocate(capacity: request.checkpoints)
    for index in 0..<request.checkpoints {
        schedule[index] = Int((Double(request.nodes) * Double(index + 1) / Double(request.checkpoints)).rounded())
    }
    schedule[request.checkpoints - 1] = request.nodes

    let recorder = PhaseRecorder(sampler: sampler, smaps: request.smaps, checkpoints: request.checkpoints, fault: fault)
    let recordCheckpoint: CheckpointCallback = { context, nodes in
        guard let context else { return }
        Unmanaged<PhaseRecorder>.fromOpaque(context).takeUnretainedValue().checkpoint(nodesAlive: nodes)
    }
    recorder.start()
    // The nodes stay alive until the process exits: freeing millions of them would only cost time.
    guard let scheduleStart = schedule.baseAddress else { throw WorkerFailure("no checkpoints") }
    _ = entry.function(
        request.nodes, scheduleStart, request.checkpoints,
        Unmanaged.passUnretained(recorder).toOpaque(), recordCheckpoint)
    if let failure = recorder.failure { throw WorkerFailure("sampling failed: \(failure)") }

    let probeRecorder = ProbeRecorder()
    var probeSchedule = min(request.probeNodes, request.nodes)
    let recordProbe: CheckpointCallback = { context, nodes in
        guard let context else { return }
        Unmanaged<ProbeRecorder>.fromOpaque(context).takeUnretainedValue().checkpoint(nodesAlive: nodes)
    }
    var probe: AllocationProbe?
    if probeSchedule > 0 {
        let nodes = probeSchedule
        let handle = entry.function(nodes, &probeSchedule, 1, Unmanaged.passUnretained(probeRecorder).toOpaque(), recordProbe)
        Unmanaged<AnyObject>.fromOpaque(handle).release()
        probe = probeRecorder.probe(nodes: nodes)
    }

    var replies: [WorkerReply] = [.identity(mallocProvider: identity.provider, allocatorVersion: identity.version)]
    replies += recorder.recorded.map { WorkerReply.sample(phase: "allocate", $0) }
    if let probe { replies.append(.probe(probe)) }
    replies.append(.done)
    return replies
}

do throws(WorkerFailure) {
    let request: WorkerRequest
    do throws(WorkerProtocolError) {
        request = try WorkerRequest(arguments: Array(CommandLine.arguments.dropFirst()))
    } catch {
        throw WorkerFailure("bad request: \(error)")
    }
    for reply in try runTrial(request) { print(reply.line) }
    exit(0)
} catch {
    print(WorkerReply.failure(error.message).line)
    exit(1)
}
