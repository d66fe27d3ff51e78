import CLayoutLabShims
import Foundation
import LayoutLabSampling

/// A program started with `posix_spawn` and reaped with `waitpid`: workers, the compiler, helper tools.
///
/// Why not Foundation's `Process`: on Linux it learns that a child ended when a socket it hands to the child
/// closes, so any daemon the child starts (munged, slurmd) inherits that socket and the wait never returns.
/// Here the child gets only its three standard descriptors (every other one is closed in the child), its
/// signal mask is cleared and every signal is back to its default action, and the wait is on its pid.
package final class ChildProcess {
    /// Where one of the child's standard streams goes.
    package enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe that `collect` reads.
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// The same pipe as standard output (for standard error only).
        case standardOutput
        /// The lab's own descriptor, inherited (a program `layoutlab record` runs writes to the user's terminal).
        case inherited
    }

    /// How the child ended: its exit code, or the number of the signal that killed it.
    package enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        /// The exit code, or 128 + the signal number as a shell reports it.
        package var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// What `collect` read from the piped streams (whether the deadline passed is `timedOut`).
    package struct Collected: Sendable {
        package var standardOutput: [UInt8] = []
        package var standardError: [UInt8] = []
    }

    /// The child's process id.
    package let pid: pid_t
    private var outputDescriptor: Int32?
    private var errorDescriptor: Int32?
    private var termination: Termination?

    /// Starts `executable` (a path; see `ExternalCommand.locate` for names on `PATH`) with `arguments`
    /// and exactly `environment`. Standard input is `/dev/null` unless `inheritsStandardInput`.
    package init(
        executable: String, arguments: [String], environment: [String: String],
        workingDirectory: String? = nil, standardOutput: Stream = .pipe, standardError: Stream = .null,
        inheritsStandardInput: Bool = false
    ) throws(ChildProcessError) {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        func closeAll() { (parentEnds + childEnds).forEach { close($0) } }

        func route(_ stream: Stream, to target: Int32) throws(ChildProcessError) -> Int32? {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0)
                return nil
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                return nil
            case .standardOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, target)
                return nil
            case .inherited:
                return nil
            case .pipe:
                var ends: [Int32] = [-1, -1]
                let code = ll_pipe_close_on_exec(&ends)
                guard code == 0 else {
                    closeAll()
                    throw ChildProcessError(executable: executable, errno: code, context: "a pipe")
                }
                parentEnds.append(ends[0])
                childEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], target)
                return ends[0]
            }
        }
        if !inheritsStandardInput { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        let output = try route(standardOutput, to: 1)
        let error = try route(standardError, to: 2)
        ll_spawn_close_from(&actions, 3)
        if let workingDirectory { ll_spawn_change_directory(&actions, workingDirectory) }

        // Its own process group: Ctrl-C at a terminal reaches the runner, which stops the child itself, and a
        // timeout can kill the child's descendants with it.
        _ = ll_spawn_fresh_process_group(&attributes)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        childEnds.forEach { close($0) }
        guard code == 0 else {
            parentEnds.forEach { close($0) }
            var files: [String] = []
            for (name, stream) in [("stdout", standardOutput), ("stderr", standardError)] {
                if case .file(let path) = stream { files.append("\(name) to \(path)") }
            }
            if let workingDirectory { files.append("in \(workingDirectory)") }
            throw ChildProcessError(executable: executable, errno: code, context: files.joined(separator: ", "))
        }
        pid = child
        outputDescriptor = output
        errorDescriptor = error
    }

    deinit {
        [outputDescriptor, errorDescriptor].compactMap { $0 }.forEach { close($0) }
        // A child that has ended but was never waited for is reaped; a running one is left alone.
        if termination == nil {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }
    }

    /// Sends `signal` to the child (unless it has already been reaped).
    package func send(_ signal: Int32) {
        if termination == nil { kill(pid, signal) }
    }

    /// Reads the piped streams until the child closes both. A deadline (`timeoutSeconds`) also bounds the
    /// later `wait()`: if the child is still running then, it and its process group get SIGKILL and
    /// `timedOut` is set; what it had written is kept. Once the child has exited, reading stops within two
    /// seconds even if a descendant it left behind still holds a pipe open.
    package func collect(timeoutSeconds: Double? = nil) -> Collected {
        var collected = Collected()
        var open: [(descriptor: Int32, isError: Bool)] = []
        if let outputDescriptor { open.append((outputDescriptor, false)) }
        if let errorDescriptor { open.append((errorDescriptor, true)) }
        deadline = timeoutSeconds.flatMap { seconds in
            seconds.isFinite ? MonotonicClock.nowNanoseconds() + Int(min(max(0, seconds), 1e8) * 1e9) : nil
        }
        var stopReadingAt: Int?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }

        while !open.isEmpty {
            let now = MonotonicClock.nowNanoseconds()
            if let stop = stopReadingAt, now >= stop { break }
            if let deadline, now >= deadline, stopReadingAt == nil {
                if reapIfExited() == nil { killForTimeout() }
                stopReadingAt = now + 2_000_000_000
                continue
            }
            // Wake at least once a second to notice a child that exited while a descendant keeps the pipe.
            let limit = [deadline, stopReadingAt].compactMap { $0 }.min().map { max(0, $0 - now) } ?? Int.max
            let waitMilliseconds = Int32(min(limit / 1_000_000 + 1, 1000))
            var polled = open.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 {
                if stopReadingAt == nil, reapIfExited() != nil { stopReadingAt = MonotonicClock.nowNanoseconds() + 2_000_000_000 }
                continue
            }
            var stillOpen: [(descriptor: Int32, isError: Bool)] = []
            for (entry, state) in zip(open, polled) {
                guard state.revents != 0 else {
                    stillOpen.append(entry)
                    continue
                }
                let count = read(entry.descriptor, buffer.baseAddress, buffer.count)
                if count > 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                    if entry.isError { collected.standardError.append(contentsOf: bytes) }
                    else { collected.standardOutput.append(contentsOf: bytes) }
                    stillOpen.append(entry)
                } else if count < 0, errno == EINTR || errno == EAGAIN {
                    stillOpen.append(entry)
                }
            }
            open = stillOpen
        }
        for entry in [outputDescriptor, errorDescriptor].compactMap({ $0 }) { close(entry) }
        outputDescriptor = nil
        errorDescriptor = nil
        return collected
    }

    /// Waits for the child to end and reaps it. Within a deadline set by `collect(timeoutSeconds:)`: a child
    /// that closed its output but keeps running is killed when the deadline passes.
    @discardableResult
    package func wait() -> Termination {
        if let termination { return termination }
        if let deadline {
            var pause: UInt32 = 50
            while reapIfExited() == nil {
                if MonotonicClock.nowNanoseconds() >= deadline {
                    killForTimeout()
                    break
                }
                usleep(pause)
                pause = min(pause * 2, 10_000)
            }
            if let termination { return termination }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                // Already reaped by someone else: nothing is known of how it ended.
                termination = .exited(-1)
                return .exited(-1)
            }
        }
        return record(status)
    }

    /// The deadline set by `collect` passed and the child was killed with SIGKILL (`collect` or `wait` did it).
    package private(set) var timedOut = false
    private var deadline: Int?

    private func killForTimeout() {
        timedOut = true
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }

    /// Reaps the child if it has exited, without blocking.
    private func reapIfExited() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return record(status)
    }

    private func record(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        let ended: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        termination = ended
        return ended
    }

    /// Runs a command to completion: its status, standard output and standard error as text.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String? = nil, mergeStandardError: Bool = false, timeoutSeconds: Double? = nil
    ) throws(ChildProcessError) -> Finished {
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            standardOutput: .pipe, standardError: mergeStandardError ? .standardOutput : .pipe)
        let collected = child.collect(timeoutSeconds: timeoutSeconds)
        let termination = child.wait()
        return Finished(
            termination: termination, standardOutput: String(decoding: collected.standardOutput, as: UTF8.self),
            standardError: String(decoding: collected.standardError, as: UTF8.self), timedOut: child.timedOut)
    }

    /// A command that ran to completion.
    package struct Finished: Sendable {
        package var termination: ChildProcess.Termination
        package var standardOutput: String
        package var standardError: String
        package var timedOut: Bool
    }
}

/// A program could not be started (or a file it was to write, or its working directory, could not be opened).
package struct ChildProcessError: Error, CustomStringConvertible {
    package let executable: String
    package let errno: Int32
    /// The files and directory the start depended on, e.g. "stderr to /results/workers/t.log".
    package var context = ""
    package var description: String {
        "cannot start \(executable)\(context.isEmpty ? "" : " (\(context))"): \(String(cString: strerror(errno)))"
    }
}
