import LayoutLabModel

/// What the machine did to a run's trials, from the `disturbed` cells of `trials.csv` and the runs kept in
/// `disturbed-attempts/`: how many were disturbed, which were run again and how that ended, which stayed
/// disturbed and which could not be judged. Printed after a run and in `report.md`.
public enum DisturbanceSummary {
    /// At most this many trials are named per kind of line; the rest are counted.
    static let listed = 12

    /// The summary's lines: a headline, then one indented line per trial worth naming.
    public static func lines(_ run: ExperimentRun, bounds: DisturbanceBounds = .onThisMachine) -> [String] {
        let ok = run.records.filter { $0.status == .ok }
        guard !ok.isEmpty || !run.disturbedAttempts.isEmpty else { return [] }
        let disturbed = ok.filter { $0.disturbed == true }
        let unjudged = ok.filter { $0.disturbed == nil }
        var lines = ["disturbance: \(disturbed.count) of \(ok.count) successful trials disturbed, \(unjudged.count) not judged; "
            + "\(run.disturbedAttempts.count) disturbed run(s) repeated (rerun_disturbed \(run.experiment.rerunDisturbed)); "
            + "bounds: \(bounds.summary)"]
        var kept: [String: [TrialRecord]] = [:]
        for attempt in run.disturbedAttempts { kept[attempt.trial.id, default: []].append(attempt) }
        var rerun: [String] = []
        for record in run.records where kept[record.trial.id] != nil {
            let earlier = kept[record.trial.id] ?? []
            let ending = record.status != .ok ? "attempt \(record.attempt) \(record.status)"
                : record.disturbed == true ? "attempt \(record.attempt) still disturbed (\(record.disturbance ?? ""))"
                : record.disturbed == false ? "attempt \(record.attempt) clean" : "attempt \(record.attempt) not judged"
            rerun.append("rerun: \(record.trial.id): attempt(s) \(earlier.map { String($0.attempt) }.joined(separator: ", ")) disturbed (\(earlier.first?.disturbance ?? "")); \(ending)")
        }
        // Trials whose kept attempts have no row yet: the run stopped during a rerun.
        for (id, attempts) in kept.sorted(by: { $0.key < $1.key }) where !run.records.contains(where: { $0.trial.id == id }) {
            rerun.append("rerun: \(id): attempt(s) \(attempts.map { String($0.attempt) }.joined(separator: ", ")) disturbed; not recorded yet (the run stopped)")
        }
        lines += limited(rerun)
        lines += limited(disturbed.filter { kept[$0.trial.id] == nil }.map { "disturbed: \($0.trial.id): \($0.disturbance ?? "")" })
        // Trials not judged for one reason (every program trial, say) are one line, not one each.
        var reasons: [String] = []
        var byReason: [String: [String]] = [:]
        for record in unjudged {
            let reason = record.disturbance ?? "no counters"
            if byReason[reason] == nil { reasons.append(reason) }
            byReason[reason, default: []].append(record.trial.id)
        }
        lines += limited(reasons.map { reason in
            let ids = byReason[reason] ?? []
            let named = ids.count <= 3 ? ids.joined(separator: ", ") : "\(ids.count) trials: \(ids.prefix(2).joined(separator: ", ")), …"
            return "not judged: \(named): \(reason)"
        })
        return lines
    }

    /// The lines as text for the terminal (headline first, the rest indented), or nil with nothing to say.
    public static func render(_ run: ExperimentRun) -> String? {
        let lines = lines(run)
        guard let first = lines.first else { return nil }
        return ([first] + lines.dropFirst().map { "  " + $0 }).joined(separator: "\n") + "\n"
    }

    private static func limited(_ lines: [String]) -> [String] {
        lines.count <= listed ? lines : Array(lines.prefix(listed)) + ["… and \(lines.count - listed) more (see trials.csv, disturbance)"]
    }
}
