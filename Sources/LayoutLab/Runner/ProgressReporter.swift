import Foundation

/// Shows "trial k of n, what it is, time left" on one rewritten line of stderr when stderr is a terminal,
/// and stays silent otherwise (logs and CI).
public struct ProgressReporter: Sendable {
    public let enabled: Bool
    private let started = Date()

    public init(enabled: Bool = isatty(STDERR_FILENO) == 1) { self.enabled = enabled }

    /// Called before trial `index` (0-based) of `trials` starts. Time left assumes a trial's cost grows with
    /// its node count, estimated from the trials done so far.
    public func willStart(_ trial: Trial, index: Int, of trials: [Trial]) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        let doneNodes = trials[..<index].reduce(0) { $0 + $1.nodes }
        let leftNodes = trials[index...].reduce(0) { $0 + $1.nodes }
        let left = doneNodes > 0 ? " · ~\(Self.duration(elapsed / Double(doneNodes) * Double(leftNodes))) left" : ""
        let line = "[\(index + 1)/\(trials.count)] \(trial.experiment) \(trial.id) · \(Self.duration(elapsed)) elapsed\(left)"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// Always printed (on stderr): a trial that did not succeed.
    public func report(failure result: TrialResult) {
        let text = "\(enabled ? "\r\u{1B}[K" : "")trial \(result.trial.id): \(result.status) — \(result.message ?? "")\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }
}
