import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabSampling

/// Counts each phase's instructions exactly, for experiments with `"instructions": "valgrind"`: runs a trial
/// a second time under `valgrind --tool=callgrind --collect-atstart=no`, where the worker switches collection on
/// for its measured stretches only (the same stretches as `elapsed_ns`, sampling callbacks excluded) and dumps
/// each phase's count into a file of its own; the counts are read once the worker has exited. Only the counts
/// are taken from that run: valgrind slows everything down and adds its own memory, so time, bytes and the
/// other counters stay those of the ordinary run. The instrumented run builds no probe, and has a timeout of its
/// own, `timeoutMultiple` times the trial's. A callgrind run that fails or times out costs the counts only.
struct CallgrindPhaseCounter {
    /// The instrumented run's timeout, as a multiple of the trial timeout: callgrind runs the worker 10 to 50
    /// times slower (a trial's whole run, the process start included, not only its measured stretches).
    static let timeoutMultiple = 20.0

    let valgrind: String
    /// The worker as valgrind can read it (`DebugInfoStrippedCopy`), in `scratch`.
    let worker: String
    let scratch: URL

    /// Prepares a scratch folder with the stripped worker.
    init(workerPath: String) throws {
        guard let valgrind = Valgrind.path() else {
            throw HostError.valgrindNotInstalled
        }
        self.valgrind = valgrind
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("layoutlab-callgrind-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            worker = try DebugInfoStrippedCopy.make(of: workerPath, in: scratch)
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    /// Removes the scratch folder.
    func finish() { try? FileManager.default.removeItem(at: scratch) }

    /// Runs `request` under callgrind and writes the counts into `result` (the ordinary run's, which must be
    /// ok): every phase's `instructions`, and `instructionsSource`. A callgrind run that fails or times out
    /// keeps the ordinary measurement: the trial stays ok, its instructions empty, its message says why
    /// ("under callgrind: …"), and the callgrind run's log stays at `logURL`. True when the counts came.
    func count(
        into result: inout TrialResult, request: WorkerRequest, preload: String?, environment: [String: String],
        logURL: URL, launcher: WorkerLauncher, interruption: RunInterruption?
    ) -> Bool {
        let dumps = scratch.appendingPathComponent(result.trial.id)
        try? FileManager.default.removeItem(at: dumps)
        guard (try? FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)) != nil else {
            keepWithoutCounts(&result, "cannot create \(dumps.path) for callgrind's dumps")
            return false
        }
        defer { try? FileManager.default.removeItem(at: dumps) }
        var instrumented = request
        instrumented.instructions = .valgrind
        instrumented.probeNodes = 0
        let program = [
            valgrind, "--quiet", "--tool=callgrind", "--collect-atstart=no",
            "--callgrind-out-file=\(dumps.path)/callgrind.out.%p", worker,
        ]
        var slow = launcher
        slow.timeoutSeconds = launcher.timeoutSeconds * Self.timeoutMultiple
        let counted = slow.run(
            instrumented, trial: result.trial, preload: preload, environment: environment, logURL: logURL,
            interruption: interruption, program: program)
        guard counted.status == .ok else {
            keepWithoutCounts(&result, "\(counted.status): \(counted.message ?? "the worker did not finish")")
            return false
        }
        let counts: [Int: Int]
        do throws(CallgrindDumpError) {
            counts = try CallgrindDumps.instructions(in: dumps, prefix: "callgrind.out.")
        } catch {
            keepWithoutCounts(&result, error.description)
            return false
        }
        for outcome in result.outcomes {
            guard let count = counts[outcome.index] else {
                keepWithoutCounts(&result, "callgrind wrote no count for phase \(outcome.index) (\(outcome.spec))")
                return false
            }
            result.phaseCounters[outcome.index, default: PhaseCounters()].instructions = count
        }
        result.instructionsSource = .valgrind
        // Valgrind's own notes (DWARF it skipped) are not the trial's: the log goes when the counts came.
        try? FileManager.default.removeItem(at: logURL)
        return true
    }

    /// The ordinary run's figures stay; only the counts go, and the message says why.
    private func keepWithoutCounts(_ result: inout TrialResult, _ reason: String) {
        let note = "under callgrind: \(reason); the counts are empty, the other figures are the ordinary run's"
        result.message = result.message.map { "\($0); \(note)" } ?? note
        for index in result.phaseCounters.keys { result.phaseCounters[index]?.instructions = nil }
        result.instructionsSource = nil
    }
}
