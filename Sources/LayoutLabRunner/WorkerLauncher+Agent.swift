import Foundation
import LayoutLabModel
import LayoutLabProtocol

extension WorkerLauncher {
    /// Reads a program trial's allocator-agent report into `result`: the agent names the file that served the
    /// program's `malloc` (`malloc_provider`), which must be `expectedProvider` (real paths compared), as the worker
    /// proves it for node trials; its figures at exit feed the `*_at_exit` columns. A program trial that ran to its end
    /// without a report (or without its `end`), with a malformed one, or under another `malloc` is an `error`: nothing it measured can be
    /// put down to the allocator asked for. A program that crashed keeps its own status (its report may lack `end`).
    static func applyAgentReport(_ result: inout TrialResult, expectedProvider: String) {
        guard result.trial.program != nil, result.program != nil else { return }
        func refuse(_ message: String) {
            guard result.status == .ok else { return }
            result.status = .error
            result.message = message
        }
        guard let bytes = result.agentReportBytes, !bytes.isEmpty else {
            refuse("the allocator agent did not report: the program is not dynamically linked, or it cleared LD_PRELOAD, so which malloc it used is not known")
            return
        }
        if let dropped = result.program?.agentBytesDropped, dropped > 0 {
            refuse("the allocator agent wrote \(dropped) bytes more than the monitor's buffer holds: its report is cut; make allocator_sample_interval_ms longer")
            return
        }
        let report: AgentReport
        do {
            report = try AgentReport(parsing: bytes)
        } catch {
            refuse("the allocator agent's report does not parse: \(error)")
            return
        }
        result.agent = report
        // The provider first: a wrong malloc is the reason to give whatever else went wrong.
        if let provider = report.provider {
            let served = realPath(provider)
            result.mallocProvider = served
            if served != realPath(expectedProvider) {
                refuse("the program's malloc is served by \(served), not by the requested \(expectedProvider); did the program reset LD_PRELOAD?")
                return
            }
        }
        if let lost = report.linesLost, lost > 0 {
            refuse("the allocator agent could not write \(lost) of its lines (its pipe was full: the monitor did not read it in time, a machine too busy), so its readings are incomplete; run it again, or make allocator_sample_interval_ms longer")
            return
        }
        // An image loaded at start names its malloc; a program that then exec'd another without the preload (an `env -u
        // LD_PRELOAD`, a static binary) exits without the agent's `end`: what served its malloc after that is unknown.
        if result.program?.exitCode != nil, !report.ended {
            refuse("the program exited but the allocator agent did not report its end: the program exec'd another without LD_PRELOAD (or a static one), so which malloc served it is not known")
            return
        }
        if report.provider == nil { refuse("the allocator agent did not name the file that serves malloc") }
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
