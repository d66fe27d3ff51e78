#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// Runs `fork` phases: forks K children after the nodes are built; each reads its own `smaps_rollup`, does the
/// phase's work on every node with the classic phase entry point (traverse or mutate, a checkpoint callback that
/// does nothing), reads `smaps_rollup` again, writes a fixed-size `Record` to its own pipe, then blocks on the
/// release pipe until the parent has every child's record (so that each `Pss` is read while all K children and
/// the parent are alive), and `_exit`s. Children start their work only once all K are forked (a start pipe the
/// parent closes), and read their "after" figures only once all K have done their work (a done pipe each writes a
/// byte to, and a measure pipe the parent then closes), so that every child's `Pss` is read in the same state of
/// sharing. Between `fork` and its record a child allocates, logs and formats
/// nothing: its reader, schedule and result slots are allocated here, before the trial's baseline.
///
/// The parent samples before forking and after the last child was reaped. A child that dies or exits without
/// a record (the parent sees end of file on its pipe) fails the trial: the others are killed and reaped, and the
/// message names the child and how it ended. Replies are formatted after the phase (`replies`).
final class ForkPhase {
    /// What one child writes to its pipe: `ForkChildReport`'s six figures, `missing` where a figure is nil.
    struct Record {
        var workNs = ForkPhase.missing
        var privateDirtyBytesBefore = ForkPhase.missing
        var privateDirtyBytesAfter = ForkPhase.missing
        var sharedBytesAfter = ForkPhase.missing
        var pssBytesAfter = ForkPhase.missing
        var rssBytesAfter = ForkPhase.missing
    }

    /// A figure the child could not read.
    static let missing = Int.min
    static let recordBytes = MemoryLayout<Record>.size

    private let reader = OwnSmapsRollupReader()
    private let fault: FaultInjection?
    /// The children's one-entry checkpoint schedule (all nodes) and the phase entry point's result slots.
    private let schedule = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    private let result = UnsafeMutablePointer<Int>.allocate(capacity: GeneratedCodeABI.PhaseResult.allCases.count)
    /// Per child of the running phase: its pid, its pipe's read and write ends, and its record as it arrives.
    private let pids = UnsafeMutablePointer<pid_t>.allocate(capacity: PhaseSpec.maximumChildren)
    private let readEnds = UnsafeMutablePointer<Int32>.allocate(capacity: PhaseSpec.maximumChildren)
    private let writeEnds = UnsafeMutablePointer<Int32>.allocate(capacity: PhaseSpec.maximumChildren)
    private let records = UnsafeMutablePointer<Record>.allocate(capacity: PhaseSpec.maximumChildren)
    private let filled = UnsafeMutablePointer<Int>.allocate(capacity: PhaseSpec.maximumChildren)
    private let polled = UnsafeMutablePointer<pollfd>.allocate(capacity: PhaseSpec.maximumChildren)
    /// Every fork phase's children's reports, by phase, in child order.
    private(set) var reports: [(phase: Int, report: ForkChildReport)] = []

    init(fault: FaultInjection?, phases: [PhaseSpec]) {
        self.fault = fault
        result.initialize(repeating: 0, count: GeneratedCodeABI.PhaseResult.allCases.count)
        records.initialize(repeating: Record(), count: PhaseSpec.maximumChildren)
        filled.initialize(repeating: 0, count: PhaseSpec.maximumChildren)
        polled.initialize(repeating: pollfd(), count: PhaseSpec.maximumChildren)
        reports.reserveCapacity(phases.filter { $0.kind == .fork }.map(\.children).reduce(0, +))
        reader.warm()
    }

    /// The `fork-child` replies of every fork phase run.
    var replies: [WorkerReply] { reports.map { .forkChild(phaseIndex: $0.phase, $0.report) } }

    /// Runs fork phase `index` on the nodes of `handle` (`live` of them alive); `order` is the permutation for
    /// a random order. Returns the phase's outcome, or fails the trial when a child does not report.
    func run(
        index: Int, spec: PhaseSpec, handle: UnsafeMutableRawPointer, entry: GeneratedLayoutEntry, order: UnsafePointer<Int>?,
        nodes: Int, recorder: PhaseRecorder
    ) throws(WorkerFailure) -> PhaseOutcome {
        let children = spec.children
        guard (1...PhaseSpec.maximumChildren).contains(children) else { throw WorkerFailure("fork: \(children) children") }
        let code: Int? = switch spec.work {
        case .traverse: PhaseSpec.Kind.traverse.generatedCode
        case .mutate: PhaseSpec.Kind.mutate.generatedCode
        case .none: nil
        }
        schedule.pointee = nodes
        var release: (read: Int32, write: Int32) = (-1, -1)
        try openPipes(children: children, release: &release)
        // The gates: children begin their work once all K exist (start: end of file when the parent closes it), and
        // read their "after" figures once all K have done their work (each writes a byte to done; the parent then
        // closes measure), so every child's Pss is read in the same state of sharing.
        guard let startEnds = Self.openPipe(), let doneEnds = Self.openPipe(), let measureEnds = Self.openPipe() else {
            stop(forked: 0, children: children, release: release)
            throw WorkerFailure("fork: no gate pipes: \(String(cString: strerror(errno)))")
        }
        let gates = Gates(
            start: (read: startEnds.0, write: startEnds.1), done: (read: doneEnds.0, write: doneEnds.1),
            measure: (read: measureEnds.0, write: measureEnds.1))
        let parent = getpid()
        let live = recorder.lastNodesAlive

        recorder.begin(phase: index, checkpoints: 1)
        recorder.checkpoint(nodesAlive: live)
        var forked = 0
        while forked < children {
            let pid = fork()
            if pid == 0 {
                child(forked, of: children, parent: parent, release: release, gates: gates, handle: handle, entry: entry, code: code, order: order)
            }
            if pid < 0 {
                let code = errno
                gates.closeAll()
                stop(forked: forked, children: children, release: release)
                throw WorkerFailure("fork child \(forked + 1) of \(children) could not be forked: \(String(cString: strerror(code)))")
            }
            pids[forked] = pid
            forked += 1
        }
        // The parent keeps only the read ends: a child's pipe ends when that child does.
        for child in 0..<children { close(writeEnds[child]) }
        close(release.read)
        close(gates.start.read)
        close(gates.done.write)
        close(gates.measure.read)
        close(gates.start.write)  // all K are forked: let them start
        // Wait until every child has done its work: K bytes, or end of file early when one died (its record is then
        // missing, which collectRecords reports); then let them all read their "after" figures.
        var done = 0
        var byte: UInt8 = 0
        while done < children {
            let got = read(gates.done.read, &byte, 1)
            if got == 1 { done += 1 } else if got == 0 || errno != EINTR { break }
        }
        close(gates.done.read)
        close(gates.measure.write)

        if let missing = collectRecords(children: children) {
            close(release.write)
            for other in 0..<children where other != missing { kill(pids[other], SIGKILL) }
            var status: Int32 = 0
            let reaped = waitpid(pids[missing], &status, 0) == pids[missing]
            for other in 0..<children where other != missing { reap(pids[other]) }
            closeReadEnds(children: children)
            recorder.end()
            let how = reaped ? Self.describe(status: status) : "ended"
            throw WorkerFailure("fork child \(missing + 1) of \(children) \(how) before it reported")
        }
        // Every record is in: let the children go, and reap them.
        close(release.write)
        var failed: (child: Int, status: Int32)?
        for child in 0..<children {
            var status: Int32 = 0
            if waitpid(pids[child], &status, 0) == pids[child], !(Self.exited(status) && Self.exitCode(status) == 0), failed == nil {
                failed = (child, status)
            }
        }
        closeReadEnds(children: children)
        recorder.checkpoint(nodesAlive: live, last: true)
        recorder.end()
        if let failed {
            throw WorkerFailure("fork child \(failed.child + 1) of \(children) \(Self.describe(status: failed.status)) after it reported")
        }
        for child in 0..<children {
            let record = records[child]
            func value(_ figure: Int) -> Int? { figure == Self.missing ? nil : figure }
            reports.append((index, ForkChildReport(
                child: child, workNs: value(record.workNs), privateDirtyBytesBefore: value(record.privateDirtyBytesBefore),
                privateDirtyBytesAfter: value(record.privateDirtyBytesAfter), sharedBytesAfter: value(record.sharedBytesAfter),
                pssBytesAfter: value(record.pssBytesAfter), rssBytesAfter: value(record.rssBytesAfter))))
        }
        return PhaseOutcome(index: index, spec: spec, checksum: 0, liveNodes: live, applicable: true)
    }

    /// The three pipes that line the children up: start (all forked), done (a byte per child after its work) and
    /// measure (all done: read the "after" figures).
    struct Gates {
        var start: (read: Int32, write: Int32)
        var done: (read: Int32, write: Int32)
        var measure: (read: Int32, write: Int32)

        func closeAll() {
            for end in [start.read, start.write, done.read, done.write, measure.read, measure.write] { close(end) }
        }
    }

    /// A pipe whose ends close on `exec` (nothing the worker might start inherits them); nil on failure.
    private static func openPipe() -> (Int32, Int32)? {
        var ends: (Int32, Int32) = (-1, -1)
        let opened = withUnsafeMutableBytes(of: &ends) { pipe($0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
        guard opened == 0 else { return nil }
        _ = fcntl(ends.0, F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends.1, F_SETFD, FD_CLOEXEC)
        return ends
    }

    /// Opens each child's pipe and the release pipe.
    private func openPipes(children: Int, release: inout (read: Int32, write: Int32)) throws(WorkerFailure) {
        for child in 0..<children {
            guard let ends = Self.openPipe() else { throw WorkerFailure("fork: no pipe for child \(child + 1): \(String(cString: strerror(errno)))") }
            readEnds[child] = ends.0
            writeEnds[child] = ends.1
            records[child] = Record()
            filled[child] = 0
        }
        guard let ends = Self.openPipe() else { throw WorkerFailure("fork: no release pipe: \(String(cString: strerror(errno)))") }
        release = ends
    }

    /// Reads every child's record as it comes; returns the first child whose pipe ended before its whole
    /// record arrived, or nil once every record is in.
    private func collectRecords(children: Int) -> Int? {
        var complete = 0
        while complete < children {
            var watched = 0
            for child in 0..<children where filled[child] < Self.recordBytes {
                polled[watched] = pollfd(fd: readEnds[child], events: Int16(POLLIN), revents: 0)
                watched += 1
            }
            if poll(polled, nfds_t(watched), -1) < 0 {
                if errno == EINTR { continue }
                return (0..<children).first { filled[$0] < Self.recordBytes }
            }
            for slot in 0..<watched where polled[slot].revents != 0 {
                guard let child = (0..<children).first(where: { readEnds[$0] == polled[slot].fd }) else { continue }
                let count = UnsafeMutableRawPointer(records + child).withMemoryRebound(to: UInt8.self, capacity: Self.recordBytes) {
                    read(readEnds[child], $0 + filled[child], Self.recordBytes - filled[child])
                }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { return child }
                filled[child] += count
                if filled[child] == Self.recordBytes { complete += 1 }
            }
        }
        return nil
    }

    /// The child's whole life after `fork`: no allocation, no logging, no Swift cleanup (`_exit`).
    private func child(
        _ child: Int, of children: Int, parent: pid_t, release: (read: Int32, write: Int32), gates: Gates,
        handle: UnsafeMutableRawPointer, entry: GeneratedLayoutEntry, code: Int?, order: UnsafePointer<Int>?
    ) -> Never {
        for other in 0..<children {
            close(readEnds[other])
            if other != child { close(writeEnds[other]) }
        }
        close(release.write)
        close(gates.start.write)
        close(gates.done.read)
        close(gates.measure.write)
        // PR_SET_PDEATHSIG is not inherited: a child of a worker killed for a timeout must not outlive it.
        _ = ll_die_with_parent(parent)
        var record = Record()
        if let before = reader.read() { record.privateDirtyBytesBefore = before.privateDirtyBytes ?? Self.missing }
        // Wait until every child exists, so that no child's work (and no Pss it reads after it) overlaps the forking.
        var go: UInt8 = 0
        while read(gates.start.read, &go, 1) < 0, errno == EINTR {}
        close(gates.start.read)
        if let code {
            let ignore: CheckpointCallback = { _, _ in }
            let start = MonotonicClock.nowNanoseconds()
            entry.phase(handle, code, order, schedule, 1, nil, ignore, result)
            record.workNs = MonotonicClock.nowNanoseconds() - start
        }
        // Done: tell the parent, then wait until every child is done before reading the "after" figures.
        while write(gates.done.write, &go, 1) < 0, errno == EINTR {}
        close(gates.done.write)
        while read(gates.measure.read, &go, 1) < 0, errno == EINTR {}
        close(gates.measure.read)
        if let after = reader.read() {
            record.privateDirtyBytesAfter = after.privateDirtyBytes ?? Self.missing
            record.sharedBytesAfter = after.sharedBytes ?? Self.missing
            record.pssBytesAfter = after.pssBytes ?? Self.missing
            record.rssBytesAfter = after.rssBytes ?? Self.missing
        }
        if let fault, fault.forkChild == child + 1 { fault.commit() }
        let written = withUnsafeBytes(of: &record) { write(writeEnds[child], $0.baseAddress, $0.count) }
        if written != Self.recordBytes { _exit(4) }
        // Wait for the release: end of file once the parent closes its end (or dies).
        var byte: UInt8 = 0
        while read(release.read, &byte, 1) < 0, errno == EINTR {}
        _exit(0)
    }

    /// After a failed fork: kills and reaps the children forked so far and closes every pipe.
    private func stop(forked: Int, children: Int, release: (read: Int32, write: Int32)) {
        close(release.write)
        close(release.read)
        for child in 0..<forked { kill(pids[child], SIGKILL) }
        for child in 0..<forked { reap(pids[child]) }
        for child in 0..<children { close(writeEnds[child]) }
        closeReadEnds(children: children)
    }

    private func closeReadEnds(children: Int) {
        for child in 0..<children { close(readEnds[child]) }
    }

    private func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    private static func exited(_ status: Int32) -> Bool { status & 0x7f == 0 }
    private static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

    /// `was killed by SIGKILL`, `exited with status 3`.
    static func describe(status: Int32) -> String {
        if exited(status) { return "exited with status \(exitCode(status))" }
        return "was killed by \(signalName(status & 0x7f))"
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
            9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
