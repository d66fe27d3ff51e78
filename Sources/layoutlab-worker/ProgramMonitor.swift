#if canImport(Glibc)
import Glibc
#endif
import CLayoutLabShims
import LayoutLabProtocol
import LayoutLabSampling

/// A program run as the trial (`WorkerLayout.program`), the worker being its monitor: it runs without the allocator
/// (the runner preloads nothing into it), starts the program by fork and exec (`ll_start_program`: not posix_spawn,
/// whose child's peak RSS would start from the monitor's) in a process group of its own with the
/// allocator's `LD_PRELOAD` and variables set for the program only, samples it from outside every
/// `sampleIntervalMs` (`statm` and `status` of its pid each time, `smaps_rollup` every `smapsEvery`-th sample, the
/// process tree every `treeEvery`-th), and reaps it with `wait4` for the kernel's own accounting. Past its timeout the
/// program's process group is killed with SIGKILL; when the program ends, whatever it left running in its group is
/// killed too, before the program's zombie is reaped (so the group's id is still its own). The program's stdout and stderr go to the worker's stderr (the trial's log).
///
/// Before the program starts: the argument and environment strings, the sample storage (one slot per interval up
/// to the timeout, at most `maximumSamples`), the process-tree scanner and the agent's pipe and buffer. The sampler's
/// `/proc/PID` files can only be opened once the pid exists: right after `ll_start_program` returns (after the exec), before
/// the first sample. The wait between samples is a `ppoll` on a signalfd of SIGCHLD (and on the agent's pipe when its
/// timer could fill the pipe within a sample interval), so the program's end is noticed at once rather than at the
/// next sample, and the agent's lines never wait for room.
final class ProgramMonitor {
    /// Samples kept at most (10 ms for 30 min); later ones still count towards the peaks.
    static let maximumSamples = 180_000
    /// Bytes of the agent's report kept: 8 MiB, or room for a line of `agentLineBytes` per tick of its timer up to the
    /// timeout, at most 256 MiB (reserved, touched only as the report fills it); the rest is read and dropped
    /// (`agentBytesDropped`, which makes the trial an error).
    static func agentBufferBytes(timeoutMs: Int, agentIntervalMs: Int?) -> Int {
        guard let agentIntervalMs, agentIntervalMs > 0 else { return 8 << 20 }
        return min(256 << 20, max(8 << 20, (64 << 10) + (timeoutMs / agentIntervalMs + 4) * agentLineBytes))
    }
    /// Room for one `stats` line (about 150 bytes with every figure).
    static let agentLineBytes = 256
    /// The descriptor the agent's pipe has in the program (`LAYOUTLAB_AGENT_FD`).
    static let agentDescriptor: Int32 = 3
    /// Variables of the worker's own that the program does not inherit.
    static let workerOnlyVariables: Set<String> = ["LD_PRELOAD", "LAYOUTLAB_RUNNER_PID", "LAYOUTLAB_ATTEMPT", "LAYOUTLAB_AGENT_FD"]
    /// The agent's variables that only the monitor sets (a program's `env` naming them is overridden).
    static let monitorAgentVariables: Set<String> = [
        "LAYOUTLAB_AGENT_FD", "LAYOUTLAB_AGENT_PIPE", "LAYOUTLAB_AGENT_PARENT", epochVariable, lostVariable,
    ]
    /// The agent's count of lines it could not write, carried across an exec in place (20 digits, the agent rewrites).
    static let lostVariable = "LAYOUTLAB_AGENT_LOST"
    /// The capacity asked for the agent's pipe (the kernel's default is 64 KiB): room for about 7 000 lines, so that
    /// the monitor need not wake for the agent's lines unless a sample interval could bring more than half of that.
    static let agentPipeBytes = 1 << 20
    /// The monitor's clock (CLOCK_MONOTONIC ns) when it starts the program: the agent's `elapsed_ns` are since then,
    /// on the axis of the monitor's samples.
    static let epochVariable = "LAYOUTLAB_AGENT_EPOCH_NS"
    /// The value the monitor passes for a variable rewritten in place (the epoch by the monitor right before the
    /// fork, the lost-line count by the agent): room for any Int64 in decimal, zero-padded.
    static let digitsPlaceholder = String(repeating: "0", count: 20)

    private let launch: ProgramLaunch
    private let executable: String
    private let argv: [UnsafeMutablePointer<CChar>?]
    private let envp: [UnsafeMutablePointer<CChar>?]
    /// The 20 digits of the epoch entry in `envp`, when the agent is preloaded.
    private let epochDigits: UnsafeMutablePointer<CChar>?
    private let samples: UnsafeMutableBufferPointer<MemorySample>
    private var sampleCount = 0
    private let tree: ProcessTree
    private var agentRead: Int32 = -1
    private var agentWrite: Int32 = -1
    private let agentBuffer: UnsafeMutableRawBufferPointer?
    /// Whether the wait between samples also wakes on the agent's lines: only when one sample interval of its timer
    /// could fill half the pipe (a fast timer with slow samples); otherwise the monitor reads them at each sample.
    private var watchAgentPipe = false
    private var agentFilled = 0
    private(set) var agentBytesDropped = 0

    init(_ launch: ProgramLaunch) throws(WorkerFailure) {
        self.launch = launch
        var pipeIdentity: String?
        if launch.agentLibrary != nil {
            var ends: [Int32] = [-1, -1]
            let code = ll_pipe_close_on_exec(&ends)
            guard code == 0 else { throw WorkerFailure("cannot make the agent's pipe: \(String(cString: strerror(code)))") }
            agentRead = ends[0]
            agentWrite = ends[1]
            if agentWrite == Self.agentDescriptor {
                // dup2 onto itself would keep close-on-exec: move the write end elsewhere first.
                agentWrite = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
                close(ends[1])
            }
            _ = fcntl(agentRead, F_SETFL, O_NONBLOCK)
            // The program's end too (its own open file description): a full pipe loses the agent's line, counted in
            // its `end`, rather than stopping the program until the monitor reads.
            _ = fcntl(agentWrite, F_SETFL, O_NONBLOCK)
            var info = stat()
            guard fstat(agentWrite, &info) == 0 else {
                let code = errno
                close(agentRead)
                close(agentWrite)
                throw WorkerFailure("cannot stat the agent's pipe: \(String(cString: strerror(code)))")
            }
            pipeIdentity = "\(info.st_dev):\(info.st_ino)"
            let interval = launch.environment.last { $0.hasPrefix("LAYOUTLAB_AGENT_INTERVAL_MS=") }
                .flatMap { Int($0.dropFirst("LAYOUTLAB_AGENT_INTERVAL_MS=".count)) }
            let capacity = Int(ll_pipe_capacity(agentWrite, Int32(Self.agentPipeBytes)))
            if let interval, interval > 0 {
                let linesPerSample = launch.sampleIntervalMs / interval + 2
                watchAgentPipe = capacity <= 0 || linesPerSample * Self.agentLineBytes > capacity / 2
            }
            agentBuffer = .allocate(byteCount: Self.agentBufferBytes(timeoutMs: launch.timeoutMs, agentIntervalMs: interval), alignment: 16)
        } else {
            agentBuffer = nil
        }
        var environment: [(key: String, value: String)] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            index += 1
            let key = String(text.prefix { $0 != "=" })
            if !Self.workerOnlyVariables.contains(key) { environment.append((key, String(text.dropFirst(key.count + 1)))) }
        }
        var set: [(key: String, value: String)] = []
        for entry in launch.environment {
            let key = String(entry.prefix { $0 != "=" })
            set.append((key, String(entry.dropFirst(key.count + 1))))
        }
        let preload = [launch.preload, launch.agentLibrary].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        if !preload.isEmpty { set.append(("LD_PRELOAD", preload)) }
        if launch.agentLibrary != nil {
            // Only a process this monitor starts may claim the agent: a child of a program the preload did not reach
            // (a static one) must not report as the program.
            set = set.filter { !Self.monitorAgentVariables.contains($0.key) }
            set.append(("LAYOUTLAB_AGENT_FD", String(Self.agentDescriptor)))
            set.append(("LAYOUTLAB_AGENT_PIPE", pipeIdentity ?? ""))
            set.append(("LAYOUTLAB_AGENT_PARENT", String(getpid())))
            set.append((Self.epochVariable, Self.digitsPlaceholder))
            set.append((Self.lostVariable, Self.digitsPlaceholder))
        }
        // One entry per key, the last one set winning.
        set = set.enumerated().filter { index, entry in !set[(index + 1)...].contains { $0.key == entry.key } }.map(\.element)
        let setKeys = Set(set.map(\.key))
        environment = environment.filter { !setKeys.contains($0.key) } + set
        // What can fail from here on is found before anything else is allocated; the agent's pipe and buffer, made
        // above, are released by hand when it does (a class whose init throws runs no deinit).
        let located: String
        let scanner: ProcessTree
        do throws(WorkerFailure) {
            located = try Self.locate(launch.argv[0], path: environment.last { $0.key == "PATH" }?.value)
            scanner = try ProcessTree()
        } catch {
            agentBuffer?.deallocate()
            if agentRead >= 0 { close(agentRead) }
            if agentWrite >= 0 { close(agentWrite) }
            throw error
        }
        executable = located
        tree = scanner
        argv = launch.argv.map { strdup($0) } + [nil]
        envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        epochDigits = launch.agentLibrary == nil ? nil
            : envp[environment.lastIndex { $0.key == Self.epochVariable }!].map { $0 + Self.epochVariable.utf8.count + 1 }
        let slots = min(Self.maximumSamples, launch.timeoutMs / launch.sampleIntervalMs + 2)
        samples = .allocate(capacity: slots)
    }

    deinit {
        (argv + envp).forEach { free($0) }
        samples.baseAddress?.deinitialize(count: sampleCount)
        samples.deallocate()
        agentBuffer?.deallocate()
        if agentRead >= 0 { close(agentRead) }
        if agentWrite >= 0 { close(agentWrite) }
    }

    /// `command` as a file to execute: a name with a `/` as it is (relative to the program's directory), else the
    /// first executable file of that name on `path` (the program's `PATH`).
    static func locate(_ command: String, path: String?) throws(WorkerFailure) -> String {
        if command.contains("/") { return command }
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + command
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        throw WorkerFailure("cannot start the program: no executable \(command) on PATH \(path ?? "(unset)")")
    }

    /// Starts the program, samples it until it ends, and returns what the trial replies.
    func run(phase: PhaseSpec) throws(WorkerFailure) -> [WorkerReply] {
        signal(SIGCHLD, SIG_DFL)
        var childSignals = sigset_t()
        sigemptyset(&childSignals)
        sigaddset(&childSignals, SIGCHLD)
        pthread_sigmask(SIG_BLOCK, &childSignals, nil)
        // The wait between samples wakes on the program's end and on the agent's lines (so that its pipe never
        // fills: the agent's writes are non-blocking and a full pipe would lose them).
        let childDescriptor = ll_child_signal_descriptor()
        guard childDescriptor >= 0 else { throw WorkerFailure("cannot make a signalfd for SIGCHLD: \(String(cString: strerror(errno)))") }
        defer { close(childDescriptor) }

        // Forked, not posix_spawn'ed: the program's ru_maxrss starts from the pages a fork copies, not from the
        // monitor's whole resident set (`ll_start_program`). Its own process group, so that a timeout kills the tree.
        var pid: pid_t = 0
        var step: UnsafePointer<CChar>?
        let started = MonotonicClock.nowNanoseconds()
        if let epochDigits { Self.writeZeroPadded(started, into: epochDigits, digits: Self.digitsPlaceholder.utf8.count) }
        let code = ll_start_program(&pid, executable, argv, envp, launch.workingDirectory, agentWrite, Self.agentDescriptor, &step)
        guard code == 0 else {
            let failed = step.map { String(cString: $0) } ?? "start"
            throw WorkerFailure("cannot start the program \(executable) in \(launch.workingDirectory): \(failed): \(String(cString: strerror(code))) (errno \(code))")
        }
        if agentWrite >= 0 {
            close(agentWrite)
            agentWrite = -1
        }
        let sampler: MemorySampler
        let statFile: ProcFile
        do throws(ProcFileError) {
            sampler = try MemorySampler(allocatorSource: .none, procRoot: "/proc/\(pid)")
            statFile = try ProcFile(path: "/proc/\(pid)/stat", capacityBytes: 1024)
        } catch {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw WorkerFailure("cannot open the program's /proc files: \(error)")
        }

        let interval = launch.sampleIntervalMs * 1_000_000
        let deadline = started + launch.timeoutMs * 1_000_000
        var timedOut = false
        var status: Int32 = 0
        var usage = rusage()
        var processes = 1
        var mostProcesses: Int?
        var peakRSS: Int?
        var peakTreeRSS: Int?
        var index = 0
        var next = started
        while true {
            // Seen ended but left a zombie (WNOWAIT): its pid, the group's id, cannot be taken by another process
            // before the group is killed below; reaped after that.
            var ended = siginfo_t()
            if waitid(P_PID, id_t(pid), &ended, WEXITED | WNOHANG | WNOWAIT) == 0, ended._sifields._sigchld.si_pid == pid { break }
            let now = MonotonicClock.nowNanoseconds()
            if now >= deadline {
                timedOut = true
                break
            }
            if now >= next {
                var treeRSS: Int?
                if index % launch.treeEvery == 0 {
                    let scanned = tree.scan(root: pid)
                    if scanned.processes > 0 {
                        processes = scanned.processes
                        mostProcesses = max(mostProcesses ?? 0, scanned.processes)
                        peakTreeRSS = max(peakTreeRSS ?? 0, scanned.rssBytes)
                        treeRSS = scanned.rssBytes
                    }
                }
                // A process whose memory is going or gone (exiting: PF_EXITING, read after the sample; a zombie, not yet
                // reaped, reads 0 resident pages) is no sample of the program.
                if var sample = try? sampler.take(
                    nodesAlive: processes, elapsedNs: now - started, includeSmaps: index % launch.smapsEvery == 0, includeAllocator: false),
                    let rss = sample.rssBytes, rss > 0,
                    (try? statFile.withContents(ProcPidStat.isExiting)) != true  // a stat that cannot be read drops nothing
                {
                    peakRSS = max(peakRSS ?? 0, rss)
                    sample.treeRSSBytes = treeRSS
                    if sampleCount < samples.count {
                        // The sample's cost includes this round's tree scan.
                        sample.sampleNs = MonotonicClock.nowNanoseconds() - now
                        (samples.baseAddress! + sampleCount).initialize(to: sample)
                        sampleCount += 1
                    }
                }
                index += 1
                next += interval
                // A late sample does not make the next ones crowd in to catch up.
                if next < MonotonicClock.nowNanoseconds() { next = MonotonicClock.nowNanoseconds() + interval }
            }
            drainAgent()
            let wake = min(next, deadline) - MonotonicClock.nowNanoseconds()
            if wake > 0 { _ = ll_wait_child_or_input(childDescriptor, watchAgentPipe ? agentRead : -1, Int64(wake)) }
        }
        // Past its timeout the program and its group are killed; when it ended, whatever it left running in its group
        // would disturb the next trial. Either way the group is killed while the program (alive, or a zombie) still
        // holds the group's id, then the program is reaped.
        kill(-pid, SIGKILL)
        if timedOut { kill(pid, SIGKILL) }
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        let wallNs = MonotonicClock.nowNanoseconds() - started
        finishAgent()

        let exited = status & 0x7f == 0
        let figures = ProgramFigures(
            exitCode: exited ? Int((status >> 8) & 0xff) : nil, signal: exited ? nil : Int(status & 0x7f), timedOut: timedOut,
            wallNs: wallNs, userCPUNs: Self.nanoseconds(usage.ru_utime), systemCPUNs: Self.nanoseconds(usage.ru_stime),
            minorFaults: usage.ru_minflt, majorFaults: usage.ru_majflt, maxRSSBytes: usage.ru_maxrss * 1024,
            sampledPeakRSSBytes: peakRSS, sampledPeakTreeRSSBytes: peakTreeRSS, processes: mostProcesses,
            agentBytesDropped: agentBuffer == nil ? nil : agentBytesDropped)
        var replies = (0..<sampleCount).map { WorkerReply.sample(phaseIndex: 0, samples[$0]) }
        replies.append(.phase(PhaseOutcome(index: 0, spec: phase, checksum: 0, liveNodes: 0, applicable: true)))
        replies.append(.program(figures))
        if let agentBuffer { replies.append(.agent(Array(UnsafeRawBufferPointer(rebasing: agentBuffer[..<agentFilled])))) }
        replies.append(.done)
        return replies
    }

    /// `value` (≥ 0) in decimal, zero-padded to `digits` characters, written over `text` without allocating.
    static func writeZeroPadded(_ value: Int, into text: UnsafeMutablePointer<CChar>, digits: Int) {
        var rest = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            text[position] = CChar(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
    }

    private static func nanoseconds(_ time: timeval) -> Int { time.tv_sec * 1_000_000_000 + time.tv_usec * 1000 }

    /// Reads what the agent has written so far, without waiting; bytes beyond the buffer are read and dropped.
    private func drainAgent() {
        guard agentRead >= 0, let agentBuffer, let base = agentBuffer.baseAddress else { return }
        while true {
            let room = agentBuffer.count - agentFilled
            var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            let count = room > 0 ? read(agentRead, base + agentFilled, room)
                : withUnsafeMutableBytes(of: &scratch) { read(agentRead, $0.baseAddress, $0.count) }
            if count > 0 {
                if room > 0 { agentFilled += count } else { agentBytesDropped += count }
                continue
            }
            if count == 0 {
                close(agentRead)
                agentRead = -1
            }
            return
        }
    }

    /// After the program ended: reads the agent's last lines until the pipe closes, waiting at most 200 ms (a
    /// descendant that escaped the process group may still hold its write end).
    private func finishAgent() {
        let until = MonotonicClock.nowNanoseconds() + 200_000_000
        while agentRead >= 0 {
            drainAgent()
            guard agentRead >= 0 else { return }
            let left = until - MonotonicClock.nowNanoseconds()
            if left <= 0 { return }
            var descriptor = pollfd(fd: agentRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(left / 1_000_000 + 1))
        }
    }
}
