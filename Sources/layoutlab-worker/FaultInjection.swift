#if canImport(Glibc)
import Glibc
#endif

/// A fault the tests make a worker commit on purpose, read once at start from
/// `LAYOUTLAB_FAULT=KIND@checkpoint:K[@trial:ID][@attempt:N][@callgrind][,...]` (the first entry for this trial and
/// run wins; `attempt` is the run of the trial, which the runner passes in `LAYOUTLAB_ATTEMPT`, 1 for the first;
/// `@callgrind`: only in the run under callgrind of `"instructions": "valgrind"`, not in the ordinary one); without
/// the variable the worker behaves normally.
/// Kinds: `segv` (SIGSEGV), `abort` (SIGABRT), `kill` (SIGKILL, as the OOM killer sends), `hang` (never
/// returns), `exit` (exit status 3), `garbage` (a line outside the protocol, then a normal exit).
struct FaultInjection {
    enum Kind: String { case segv, abort, kill, hang, exit, garbage }

    let kind: Kind
    /// The checkpoint (0 is the baseline) at which the fault happens.
    let checkpoint: Int

    static let variable = "LAYOUTLAB_FAULT"

    /// The fault asked for this trial (in this run: `underCallgrind` says which), if any; an unreadable
    /// specification fails the worker at start.
    static func fromEnvironment(trialID: String, underCallgrind: Bool) throws(WorkerFailure) -> FaultInjection? {
        guard let raw = getenv(variable) else { return nil }
        let text = String(cString: raw)
        let attempt = getenv("LAYOUTLAB_ATTEMPT").map { String(cString: $0) } ?? "1"
        for entry in text.split(separator: ",") {
            var parts = entry.split(separator: "@").map(String.init)
            let callgrindOnly = parts.last == "callgrind"
            if callgrindOnly { parts.removeLast() }
            let filters = parts.dropFirst(2)
            guard parts.count >= 2, let kind = Kind(rawValue: parts[0]), parts[1].hasPrefix("checkpoint:"),
                let checkpoint = Int(parts[1].dropFirst("checkpoint:".count)),
                filters.allSatisfy({ $0.hasPrefix("trial:") || $0.hasPrefix("attempt:") })
            else {
                throw WorkerFailure("\(variable)=\(text) is not KIND@checkpoint:K[@trial:ID][@attempt:N][@callgrind][,...]")
            }
            if filters.contains(where: { $0.hasPrefix("trial:") && $0 != "trial:" + trialID }) { continue }
            if filters.contains(where: { $0.hasPrefix("attempt:") && $0 != "attempt:" + attempt }) { continue }
            if callgrindOnly, !underCallgrind { continue }
            return FaultInjection(kind: kind, checkpoint: checkpoint)
        }
        return nil
    }

    func commit() {
        switch kind {
        case .segv:
            // A real invalid access, as a broken allocator would make, not a signal sent by hand.
            UnsafeMutablePointer<Int>(bitPattern: 8)?.pointee = 1
        case .abort: abort()
        case .kill: raise(SIGKILL)
        case .hang: while true { pause() }
        case .exit: exit(3)
        case .garbage:
            print("this is not a worker reply")
            exit(0)
        }
    }
}
