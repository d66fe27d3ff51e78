/// How a program run as a trial (`WorkerLayout.program`) ended and what it cost, as its monitor measured it: the
/// kernel's own accounting from `wait4`'s `rusage`, and the peaks of the monitor's samples beside it. Nil where not
/// measured: never a made-up 0.
package struct ProgramFigures: Equatable, Sendable {
    /// The program's exit code; nil when a signal ended it.
    package var exitCode: Int?
    /// The signal that ended it (SIGKILL after a timeout); nil when it exited.
    package var signal: Int?
    /// Whether it ran past its `timeout_seconds` and the monitor killed its process group.
    package var timedOut: Bool
    /// From `posix_spawn` returning to `wait4` reaping it, in ns (CLOCK_MONOTONIC).
    package var wallNs: Int
    /// `ru_utime` and `ru_stime` of `wait4`: the program's CPU time and that of the descendants it waited for, in ns.
    package var userCPUNs: Int
    package var systemCPUNs: Int
    /// `ru_minflt` and `ru_majflt`, the same processes' page faults.
    package var minorFaults: Int
    package var majorFaults: Int
    /// `ru_maxrss` × 1024: the kernel's resident high-water mark of the program (the largest of it and the
    /// descendants it waited for), what `/usr/bin/time -f %M` reports, in bytes.
    package var maxRSSBytes: Int
    /// The largest `statm` RSS of the program's own process over the monitor's samples, in bytes.
    package var sampledPeakRSSBytes: Int?
    /// The largest sum of RSS over the program and its descendants at the samples that scanned the process tree, in bytes.
    package var sampledPeakTreeRSSBytes: Int?
    /// The most processes (the program and its descendants) seen alive at one tree scan.
    package var processes: Int?
    /// Bytes of the allocator agent's report the monitor's buffer had no room for (read and dropped: the report is
    /// cut), 0 when it kept them all; nil without an agent.
    package var agentBytesDropped: Int?

    package init(
        exitCode: Int?, signal: Int?, timedOut: Bool, wallNs: Int, userCPUNs: Int, systemCPUNs: Int, minorFaults: Int,
        majorFaults: Int, maxRSSBytes: Int, sampledPeakRSSBytes: Int?, sampledPeakTreeRSSBytes: Int?, processes: Int?,
        agentBytesDropped: Int? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.wallNs = wallNs
        self.userCPUNs = userCPUNs
        self.systemCPUNs = systemCPUNs
        self.minorFaults = minorFaults
        self.majorFaults = majorFaults
        self.maxRSSBytes = maxRSSBytes
        self.sampledPeakRSSBytes = sampledPeakRSSBytes
        self.sampledPeakTreeRSSBytes = sampledPeakTreeRSSBytes
        self.processes = processes
        self.agentBytesDropped = agentBytesDropped
    }

    /// The fields in the order the worker protocol carries them (`timedOut` as 0 or 1).
    package var fields: [Int?] {
        [exitCode, signal, timedOut ? 1 : 0, wallNs, userCPUNs, systemCPUNs, minorFaults, majorFaults, maxRSSBytes,
         sampledPeakRSSBytes, sampledPeakTreeRSSBytes, processes, agentBytesDropped]
    }

    /// Reads `fields` back; nil unless exactly one of the exit code and the signal is present and the rusage figures are.
    package init?(fields: [Int?]) {
        guard fields.count == 13, (fields[0] == nil) != (fields[1] == nil), let timedOut = fields[2], timedOut == 0 || timedOut == 1,
            let wall = fields[3], let user = fields[4], let system = fields[5], let minor = fields[6], let major = fields[7],
            let maxRSS = fields[8]
        else { return nil }
        self.init(
            exitCode: fields[0], signal: fields[1], timedOut: timedOut == 1, wallNs: wall, userCPUNs: user, systemCPUNs: system,
            minorFaults: minor, majorFaults: major, maxRSSBytes: maxRSS, sampledPeakRSSBytes: fields[9],
            sampledPeakTreeRSSBytes: fields[10], processes: fields[11], agentBytesDropped: fields[12])
    }
}
