import Foundation
import LayoutLabModel

/// A test hook: `LAYOUTLAB_FORCE_DISTURBED=ATTEMPT[@trial:ID][,...]` makes the runner call those runs of a trial
/// disturbed whatever their counters say (`1`: every trial's first run), so that tests of `"rerun_disturbed"` do
/// not depend on how busy the machine is. Read once per run; without the variable nothing changes.
struct ForcedDisturbance: Sendable, Equatable {
    static let variable = "LAYOUTLAB_FORCE_DISTURBED"

    struct Entry: Sendable, Equatable {
        var attempt: Int
        /// Nil: every trial.
        var trialID: String?
    }

    var entries: [Entry]

    /// The hook the environment asks for, if any; a specification it cannot read stops the run.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ForcedDisturbance? {
        guard let text = environment[variable] else { return nil }
        var entries: [Entry] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            guard let attempt = Int(parts[0]), attempt >= 1, parts.count == 1 || parts[1].hasPrefix("trial:") else {
                throw HostError.badEnvironmentVariable(name: variable, value: text, expected: "ATTEMPT[@trial:ID][,...] (attempts from 1)")
            }
            entries.append(Entry(attempt: attempt, trialID: parts.count == 2 ? String(parts[1].dropFirst("trial:".count)) : nil))
        }
        return ForcedDisturbance(entries: entries)
    }

    func applies(to trialID: String, attempt: Int) -> Bool {
        entries.contains { $0.attempt == attempt && ($0.trialID == nil || $0.trialID == trialID) }
    }

    /// The judgement of a run this hook forces: disturbed, saying so, after what the counters said.
    static func forced(_ judged: TrialDisturbance) -> TrialDisturbance {
        let note = "forced by \(variable) (a test hook)"
        return TrialDisturbance(disturbed: true, reason: [note, judged.reason].compactMap { $0 }.joined(separator: "; "))
    }
}
