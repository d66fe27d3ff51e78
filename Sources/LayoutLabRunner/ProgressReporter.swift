import Foundation
import LayoutLabModel

/// Says how far a run is: "trial k of n, what it is, time elapsed and left" on stderr. On a terminal it is one
/// line rewritten before every trial; elsewhere (`make run | tee`, CI logs, Slurm) a plain line before the
/// first trial and then at most every `logInterval` seconds, so a long run is never silent and a short one
/// never noisy. `--quiet` turns it off. Used from the runner's thread only.
public final class ProgressReporter: @unchecked Sendable {
    public let enabled: Bool
    /// Whether stderr is a terminal (one rewritten line) or not (plain lines now and then).
    public let terminal: Bool
    public static let logInterval: TimeInterval = 10
    private var started = Date()
    private var lastLine: Date?

    public init(enabled: Bool = true, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
        self.terminal = terminal
    }

    /// Called once an experiment's layout code is compiled, before its first trial: elapsed time and the
    /// estimate of time left are per experiment, and its first trial always gets a line.
    public func beginExperiment() {
        started = Date()
        lastLine = nil
    }

    /// Called before trial `index` (0-based) of `trials` starts. Time left assumes a trial's cost grows with
    /// its node count, estimated from the trials done so far.
    public func willStart(_ trial: Trial, index: Int, of trials: [Trial]) {
        guard enabled else { return }
        let now = Date()
        if !terminal, let lastLine, now.timeIntervalSince(lastLine) < Self.logInterval { return }
        lastLine = now
        let elapsed = now.timeIntervalSince(started)
        let doneNodes = trials[..<index].reduce(0) { $0 + $1.nodes }
        let leftNodes = trials[index...].reduce(0) { $0 + $1.nodes }
        let left = doneNodes > 0 ? " · ~\(Self.duration(elapsed / Double(doneNodes) * Double(leftNodes))) left" : ""
        let line = "[\(index + 1)/\(trials.count)] \(trial.experiment) \(trial.id) · \(Self.duration(elapsed)) elapsed\(left)"
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    public func finish() {
        guard enabled, terminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// Always printed (on stderr): a trial that did not succeed.
    public func report(failure result: TrialResult) {
        let text = "\(enabled && terminal ? "\r\u{1B}[K" : "")trial \(result.trial.id): \(result.status) — \(result.message ?? "")\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Printed unless progress is off: a disturbed run that is run again.
    public func report(rerunOf result: TrialResult) {
        guard enabled else { return }
        let text = "\(terminal ? "\r\u{1B}[K" : "")trial \(result.trial.id): attempt \(result.attempt) disturbed (\(result.disturbance?.reason ?? "")), running it again\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }
}
