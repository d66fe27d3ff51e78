import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabSampling

/// Starts one worker process for one trial and collects its replies. The allocator's library is preloaded
/// into the worker only; the worker's stderr goes to a log file; a worker that outlives `timeoutSeconds`
/// is killed.
public struct WorkerLauncher: Sendable {
    /// Environment variables that change the allocator and are therefore never inherited from the runner:
    /// only the experiment's allocator entry sets them.
    public static let allocatorEnvironment = [
        "LD_PRELOAD", "MALLOC_CONF", "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "MIMALLOC_OPTIONS", "PYTHONMALLOC",
    ]

    public var workerPath: String
    public var timeoutSeconds: Double

    public init(workerPath: String, timeoutSeconds: Double) {
        self.workerPath = workerPath
        self.timeoutSeconds = timeoutSeconds
    }

    /// The worker binary beside the running executable (both are built into the same folder).
    public static func siblingWorkerPath() -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("layoutlab-worker").path
    }

    /// How much longer than its program's own `timeout_seconds` the monitor of a program trial may run before the
    /// runner kills it: the monitor kills the program at its timeout and must still have time to reply.
    public static let programTimeoutMarginSeconds = 60.0

    /// Tells the worker which run of its trial it is (1 for the first), for fault injection's `@attempt:N`.
    public static let attemptVariable = "LAYOUTLAB_ATTEMPT"

    package func run(
        _ request: WorkerRequest, trial: Trial, preload: String?, environment extra: [String: String], logURL: URL,
        interruption: RunInterruption? = nil, program: [String]? = nil
    ) -> TrialResult {
        var environment = ProcessInfo.processInfo.environment
        for key in Self.allocatorEnvironment { environment.removeValue(forKey: key) }
        if let preload { environment["LD_PRELOAD"] = preload }
        // The worker checks it is still this process's child once it has asked to die with its parent.
        environment["LAYOUTLAB_RUNNER_PID"] = String(getpid())
        environment.merge(extra) { $1 }

        // `program` runs another worker speaking the same protocol (the Python worker: interpreter, script).
        let command = program ?? [workerPath]
        // A log that cannot be created (a vanished folder, a full disk) must not cost the trial.
        let logged = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let started = MonotonicClock.nowNanoseconds()
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable: command[0], arguments: Array(command.dropFirst()) + request.arguments, environment: environment,
                standardOutput: .pipe, standardError: logged ? .file(logURL.path) : .null)
        } catch {
            return TrialResult(trial: trial, status: .error, message: "cannot start the worker: \(error)")
        }
        interruption?.workerStarted(child.pid)
        // A program trial's monitor outlives its program's timeout (the program's, not the runner's, decides).
        let timeoutSeconds = trial.program.map { max(self.timeoutSeconds, Double($0.timeoutSeconds) + Self.programTimeoutMarginSeconds) } ?? self.timeoutSeconds
        let collected = child.collect(timeoutSeconds: timeoutSeconds)
        let termination = child.wait()
        // Reaped: from here its pid may belong to another process, so a stop must not signal it.
        interruption?.workerEnded()
        let wallNs = MonotonicClock.nowNanoseconds() - started

        var result = Self.parse(String(decoding: collected.standardOutput, as: UTF8.self), trial: trial)
        result.wallNs = wallNs
        switch termination {
        case _ where child.timedOut:
            result.status = .timeout
            result.message = "the worker ran longer than \(Int(timeoutSeconds)) s and was killed"
        case .signalled(let signal):
            result.status = .terminated(by: signal)
            result.message = result.message ?? "the worker died of \(SignalName.name(of: signal))"
        case .exited(let code) where code != 0:
            result.status = .failed(exitCode: code)
            result.message = result.message ?? "the worker exited with status \(code)"
        case .exited:
            break
        }
        // A program trial's statuses are its program's (`parse`); a monitor that failed before the program's end
        // reported none, and its trial is an error, not a program that failed.
        if trial.program != nil, result.program == nil, result.status != .timeout {
            result.status = .error
            result.message = "the program's monitor failed: " + (result.message ?? "no reason given")
        }
        // A program trial's proof of its allocator comes from the agent preloaded into it.
        Self.applyAgentReport(&result, expectedProvider: request.expectedMallocProvider)
        // A failed trial keeps its log even when empty (it shows the worker said nothing); an ok one only
        // keeps a log that has something in it.
        if result.status == .ok, let size = try? FileManager.default.attributesOfItem(atPath: logURL.path)[.size] as? Int, size == 0 {
            try? FileManager.default.removeItem(at: logURL)
        }
        return result
    }

    /// Turns a worker's stdout into a result: `ok` only with a `done` line and at least two samples.
    public static func parse(_ text: String, trial: Trial) -> TrialResult {
        var result = TrialResult(trial: trial, status: .error)
        var finished = false
        for line in text.split(separator: "\n") {
            do throws(WorkerProtocolError) {
                switch try WorkerReply(line: String(line)) {
                case .identity(let provider, let version):
                    result.mallocProvider = provider
                    result.allocatorVersion = version
                case .sample(let phase, let sample): result.phaseSamples.append(PhaseSample(phaseIndex: phase, sample: sample))
                case .phase(let outcome): result.outcomes.append(outcome)
                case .counters(let phase, let counters): result.phaseCounters[phase] = counters
                case .probe(let probe): result.probe = probe
                case .python(let nodes, let getsizeof, let traced): result.pythonProbe = (nodes, getsizeof, traced)
                case .threads(let phase, let figures): result.threadFigures[phase] = figures
                case .forkChild(let phase, let report): result.forkChildren[phase, default: []].append(report)
                case .interpreter(let gil, let rss):
                    result.pythonGILEnabled = gil
                    result.processStartRSSBytes = rss
                case .replay(let figures): result.replay = figures
                case .program(let figures): result.program = figures
                case .agent(let bytes): result.agentReportBytes = bytes
                case .failure(let message): result.message = message
                case .done: finished = true
                }
            } catch {
                result.message = "the worker broke the protocol: \(error)"
                return result
            }
        }
        if finished, let program = result.program {
            // The program's own outcome is the trial's (the monitor exits 0 whatever the program did).
            (result.status, result.message) = Self.status(of: program, timeoutSeconds: trial.program?.timeoutSeconds)
        } else if finished, result.samples.count >= 2 {
            result.status = .ok
            if result.phaseCounters.values.contains(where: { $0.instructions != nil }) { result.instructionsSource = .hardware }
        } else if result.message == nil {
            result.message = "the worker stopped before reporting its samples"
        }
        return result
    }

    /// A program's outcome as the trial's status and message: `ok` for exit 0, `failed:exit N`, `crashed:SIGSEGV`,
    /// `killed:SIGKILL` (from outside: the OOM killer), `timeout` (its monitor killed it at `timeout_seconds`).
    static func status(of program: ProgramFigures, timeoutSeconds: Int?) -> (TrialStatus, String?) {
        if program.timedOut {
            return (.timeout, "the program ran longer than \(timeoutSeconds.map { "\($0) s" } ?? "its timeout"); its process group was killed (SIGKILL)")
        }
        if let signal = program.signal {
            return (.terminated(by: Int32(signal)), "the program died of \(SignalName.name(of: Int32(signal)))")
        }
        if let code = program.exitCode, code != 0 { return (.failed(exitCode: Int32(code)), "the program exited with status \(code)") }
        return (.ok, nil)
    }
}
