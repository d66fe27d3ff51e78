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
/// `KIND@child:C` in place of `checkpoint:K`: the C-th child (1 for the first) of every `fork` phase commits the
/// fault right after its work, before it reports (`kill@child:2`: the second child dies of SIGKILL).
struct FaultInjection {
    enum Kind: String { case segv, abort, kill, hang, exit, garbage }

    let kind: Kind
    /// The checkpoint (0 is the baseline) of the allocate phase at which the fault happens; `Int.min` for a
    /// fork child's fault (no checkpoint matches).
    let checkpoint: Int
    /// A fork child's fault: the child (1-based, in fork order) that commits it after its work; nil otherwise.
    var forkChild: Int? = nil

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
            let child = parts.count >= 2 && parts[1].hasPrefix("child:") ? Int(parts[1].dropFirst("child:".count)) : nil
            guard parts.count >= 2, let kind = Kind(rawValue: parts[0]),
                let checkpoint = child != nil ? Int.min
                    : parts[1].hasPrefix("checkpoint:") ? Int(parts[1].dropFirst("checkpoint:".count)) : nil,
                child ?? 1 >= 1,
                filters.allSatisfy({ $0.hasPrefix("trial:") || $0.hasPrefix("attempt:") })
            else {
                throw WorkerFailure("\(variable)=\(text) is not KIND@checkpoint:K|child:C[@trial:ID][@attempt:N][@callgrind][,...]")
            }
            if filters.contains(where: { $0.hasPrefix("trial:") && $0 != "trial:" + trialID }) { continue }
            if filters.contains(where: { $0.hasPrefix("attempt:") && $0 != "attempt:" + attempt }) { continue }
            if callgrindOnly, !underCallgrind { continue }
            return FaultInjection(kind: kind, checkpoint: checkpoint, forkChild: child)
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
