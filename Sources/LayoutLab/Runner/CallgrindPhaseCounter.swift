import Foundation
import LayoutLabSampling

/// Counts each phase's instructions exactly, for experiments with `"instructions": "valgrind"`: runs a trial
/// a second time under `valgrind --tool=callgrind --collect-atstart=no`, where the worker switches collection on
/// for its measured stretches only (the same stretches as `elapsed_ns`, sampling callbacks excluded) and dumps
/// each phase's count into a file of its own; the counts are read once the worker has exited. Only the counts
/// are taken from that run: valgrind slows everything down and adds its own memory, so time, bytes and the
/// other counters stay those of the ordinary run. The instrumented run builds no probe.
struct CallgrindPhaseCounter {
    let valgrind: String
    /// A copy of the worker without its DWARF sections: valgrind 3.19's debug-info reader gives up on the
    /// DWARF 5 that swiftc writes, in debug and release builds alike ("Possibly corrupted debuginfo file"), and
    /// callgrind needs only the symbol table.
    let worker: String
    let scratch: URL

    /// `valgrind` on `PATH`, or nil.
    static func valgrindPath() -> String? { ExternalCommand.locate("valgrind") }

    /// Prepares a scratch folder with the stripped worker (`objcopy --strip-debug`, from binutils).
    init(workerPath: String) throws {
        guard let valgrind = Self.valgrindPath() else {
            throw RunError("\"instructions\": \"valgrind\" needs valgrind on PATH (Debian package valgrind; `make run` installs it)")
        }
        self.valgrind = valgrind
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("layoutlab-callgrind-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let stripped = scratch.appendingPathComponent("layoutlab-worker")
        let copied = ExternalCommand.run(["objcopy", "--strip-debug", workerPath, stripped.path], mergeStandardError: true)
        guard copied?.status == 0 else {
            try? FileManager.default.removeItem(at: scratch)
            throw RunError("\"instructions\": \"valgrind\" runs a copy of the worker without DWARF (valgrind cannot read swiftc's), but `objcopy --strip-debug \(workerPath)` failed: \(copied?.text ?? "objcopy is not on PATH (Debian package binutils)")")
        }
        worker = stripped.path
    }

    /// Removes the scratch folder.
    func finish() { try? FileManager.default.removeItem(at: scratch) }

    /// Runs `request` under callgrind and writes the counts into `result` (the ordinary run's, which must be
    /// ok): every phase's `instructions`, and `instructionsSource`. A callgrind run that fails fails the trial,
    /// with the reason.
    func count(
        into result: inout TrialResult, request: WorkerRequest, preload: String?, environment: [String: String],
        logURL: URL, launcher: WorkerLauncher, interruption: RunInterruption?
    ) {
        let dumps = scratch.appendingPathComponent(result.trial.id)
        try? FileManager.default.removeItem(at: dumps)
        guard (try? FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)) != nil else {
            fail(&result, .error, "cannot create \(dumps.path) for callgrind's dumps")
            return
        }
        defer { try? FileManager.default.removeItem(at: dumps) }
        var instrumented = request
        instrumented.instructions = .valgrind
        instrumented.probeNodes = 0
        let program = [
            valgrind, "--quiet", "--tool=callgrind", "--collect-atstart=no",
            "--callgrind-out-file=\(dumps.path)/callgrind.out.%p", worker,
        ]
        let counted = launcher.run(
            instrumented, trial: result.trial, preload: preload, environment: environment, logURL: logURL,
            interruption: interruption, program: program)
        guard counted.status == .ok else {
            fail(&result, counted.status, counted.message ?? "the worker under callgrind did not finish")
            return
        }
        let counts: [Int: Int]
        do throws(CallgrindDumpError) {
            counts = try CallgrindDumps.instructions(in: dumps, prefix: "callgrind.out.")
        } catch {
            fail(&result, .error, error.description)
            return
        }
        for outcome in result.outcomes {
            guard let count = counts[outcome.index] else {
                fail(&result, .error, "callgrind wrote no count for phase \(outcome.index) (\(outcome.spec))")
                return
            }
            result.phaseCounters[outcome.index, default: PhaseCounters()].instructions = count
        }
        result.instructionsSource = .valgrind
        // Valgrind's own notes (DWARF it skipped) are not the trial's: the log goes when the counts came.
        try? FileManager.default.removeItem(at: logURL)
    }

    private func fail(_ result: inout TrialResult, _ status: TrialStatus, _ message: String) {
        result.status = status
        result.message = "under callgrind: \(message)"
        for index in result.phaseCounters.keys { result.phaseCounters[index]?.instructions = nil }
        result.instructionsSource = nil
    }
}
