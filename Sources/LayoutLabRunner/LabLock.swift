import Foundation
import LayoutLabModel
import LayoutLabResults
import LayoutLabSampling

/// One lab per machine: an exclusive `flock(2)` on a well-known file, held by `layoutlab run` (and `--resume`,
/// and `calibrate`) from before its first compile to its exit, since two workers on one machine disturb each
/// other's RSS and time. The holder writes who it is into the file (`LabLockHolder`); a second run waits,
/// saying who holds the lock, or refuses at once (`wait: false`).
///
/// The lock belongs to the open file: when its holder exits or dies (SIGKILL included) the kernel releases it,
/// so a stale lock cannot exist and nothing ever cleans one up. The file itself stays, holding the last holder's
/// lines until the next holder rewrites them. Waiting polls `LOCK_NB` every `pollInterval` seconds (one system
/// call, nothing else, so the waiter does not disturb the holder's measurements) and stops when the run is
/// interrupted.
public final class LabLock: @unchecked Sendable {
    /// Overrides the lock file (tests use one of their own, so they neither serialise on nor collide with a
    /// real run on the machine).
    public static let environmentVariable = "LAYOUTLAB_LOCK_FILE"
    /// Exit status of a run that refused to wait (`--no-wait`): EX_TEMPFAIL, "try again later".
    public static let busyExitCode: Int32 = LabExitStatus.labBusy.rawValue
    static let pollInterval: Double = 0.2
    static let progressInterval: Double = 10

    public let path: String
    private let mutex = NSLock()
    private var descriptor: Int32 = -1
    private var acquisition: LabLockWait?

    public init(path: String) { self.path = path }

    deinit {
        // Closing the file releases the lock.
        if descriptor >= 0 { close(descriptor) }
    }

    /// `$LAYOUTLAB_LOCK_FILE`, else `/run/lock/layoutlab.lock` where `/run/lock` is a writable folder (Debian's
    /// world-writable tmpfs for lock files), else `/tmp/layoutlab.lock`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        return access("/run/lock", W_OK | X_OK) == 0 ? "/run/lock/layoutlab.lock" : "/tmp/layoutlab.lock"
    }

    /// What taking the lock cost, once it is held; nil before.
    public var wait: LabLockWait? {
        mutex.lock()
        defer { mutex.unlock() }
        return acquisition
    }

    /// Takes the lock, or returns at once if this object already holds it. While another process holds it,
    /// `say` gets one line naming the holder (and another when the holder changes), `progress` a line every
    /// `progressInterval` seconds. A holder is named only when the file names a running process: one that is
    /// gone (its lines outlived it: the new holder has not written yet, or could not) is "an unknown holder".
    /// Throws `LabLockBusy` without waiting when `wait` is false, and `LabLockError` when it cannot lock or the run is interrupted
    /// while waiting or the file cannot be opened.
    @discardableResult
    public func acquire(
        experiments: [String], wait: Bool, interruption: RunInterruption? = nil,
        say: (String) -> Void, progress: (String) -> Void
    ) throws -> LabLockWait {
        mutex.lock()
        defer { mutex.unlock() }
        if let acquisition { return acquisition }
        let (fd, writable) = try openFile()
        let started = MonotonicClock.nowNanoseconds()
        var holders: [LabLockHolder] = []
        var unknownSeen = false
        var said: LabLockHolderState?
        var unknownAttempts = 0
        var lastProgress = started
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(fd)
                throw LabLockError.cannotLock(path: path, reason: String(cString: strerror(failure)))
            }
            let state = Self.holderState(fd)
            guard wait else {
                close(fd)
                throw LabLockBusy(path: path, state: state)
            }
            if case .running(let holder) = state {
                unknownAttempts = 0
                if holder != holders.last { holders.append(holder) }
                if said != state {
                    said = state
                    say("waiting for the lab lock \(path), held by \(holder); --no-wait refuses instead")
                }
            } else {
                unknownSeen = true
                unknownAttempts += 1
                // A new holder writes its lines right after taking the lock; one that has not after a second
                // cannot (a read-only lock file) or died: either way nobody running is named.
                if unknownAttempts == 5, said?.isUnknown != true {
                    said = state
                    say("waiting for the lab lock \(path), held by \(state); --no-wait refuses instead")
                }
            }
            if interruption?.isStopped == true {
                close(fd)
                throw LabLockError.stoppedWhileWaiting(path: path, reason: interruption?.reason ?? "a signal")
            }
            let now = MonotonicClock.nowNanoseconds()
            if Double(now - lastProgress) / 1e9 >= Self.progressInterval {
                lastProgress = now
                let waited = Int((Double(now - started) / 1e9).rounded())
                let holder = if case .running(let holder) = state { "pid \(holder.pid)" } else { "an unknown holder" }
                progress("still waiting for the lab lock: \(waited) s so far (held by \(holder))")
            }
            usleep(UInt32(Self.pollInterval * 1e6))
        }
        let waited = Double(MonotonicClock.nowNanoseconds() - started) / 1e9
        let me = LabLockHolder(
            pid: getpid(), experiments: experiments, sinceUtc: EnvironmentProbe.utcTimestamp(),
            host: ProcessInfo.processInfo.hostName, command: CommandLine.arguments.joined(separator: " "),
            startTicks: LabLockHolder.startTicks(of: getpid()))
        let notWritten = writable ? Self.writeHolder(me, to: fd) : "the file is not writable by this user"
        if let notWritten {
            say("holding the lab lock \(path) without naming this run in it (\(notWritten)): a run that waits for it will see an unknown holder")
        }
        descriptor = fd
        var record = LabLockWait(path: path, acquiredUtc: me.sinceUtc, waitedSeconds: waited, holdersSeen: holders)
        record.unknownHolderSeen = unknownSeen ? true : nil
        record.nameNotWritten = notWritten
        acquisition = record
        return record
    }

    /// Opens (creating) the lock file read-write, readable and writable by every user so that any user's run
    /// can take it, and says whether it is writable. Another user's file in a sticky folder (`/run/lock`,
    /// `/tmp`) refuses `O_CREAT` under `fs.protected_regular` although its mode allows writing, so it is opened
    /// again without; a file that refuses writing is opened read-only: `flock` works on it, but the holder
    /// cannot write its name, and the file keeps naming an earlier holder, whom waiters find gone.
    private func openFile() throws -> (descriptor: Int32, writable: Bool) {
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        if fd >= 0 {
            _ = fchmod(fd, 0o666)
            return (fd, true)
        }
        if errno == EACCES { fd = open(path, O_RDWR | O_CLOEXEC) }
        if fd >= 0 { return (fd, true) }
        if errno == EACCES { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            throw LabLockError.cannotOpen(path: path, reason: String(cString: strerror(errno)), variable: Self.environmentVariable)
        }
        return (fd, false)
    }

    /// Replaces the file's lines with the holder's; nil when written, else why not.
    private static func writeHolder(_ holder: LabLockHolder, to fd: Int32) -> String? {
        let bytes = Array(holder.fileText.utf8)
        guard ftruncate(fd, 0) == 0 else { return "ftruncate: \(String(cString: strerror(errno)))" }
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written < 0 { return "pwrite: \(String(cString: strerror(errno)))" }
        return written == bytes.count ? nil : "pwrite wrote \(written) of \(bytes.count) bytes"
    }

    /// The holder's lines, or nil while it has not written them yet (or could not).
    static func readHolder(_ fd: Int32) -> LabLockHolder? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return LabLockHolder(fileText: String(decoding: buffer[..<count], as: UTF8.self))
    }

    /// What the lock file says about the lock's holder, checked against the running processes.
    static func holderState(_ fd: Int32) -> LabLockHolderState {
        guard let holder = readHolder(fd) else { return .notWritten }
        return holder.isRunning ? .running(holder) : .gone(holder)
    }

    /// The lines in a lock file, read without taking the lock and as written: they may name a holder that is
    /// gone (`LabLockHolder.isRunning`).
    public static func holder(atPath path: String) -> LabLockHolder? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readHolder(fd)
    }
}

/// What a lock file says about who holds the lock, once checked: a running process, a process that is gone
/// (the lines outlived their holder), or nothing yet.
public enum LabLockHolderState: Sendable, Equatable, CustomStringConvertible {
    case running(LabLockHolder)
    case gone(LabLockHolder)
    case notWritten

    var isUnknown: Bool { if case .running = self { false } else { true } }

    public var description: String {
        switch self {
        case .running(let holder): "\(holder)"
        case .gone(let holder):
            "an unknown holder (the lock file still names pid \(holder.pid), which is no longer running: the holder has not written its name yet, or cannot)"
        case .notWritten: "an unknown holder (it has not written its name into the lock file yet)"
        }
    }
}

/// Another run holds the lab lock and the caller asked not to wait (`--no-wait`).
public struct LabLockBusy: LabError {
    public var path: String
    public var exitStatus: LabExitStatus { .labBusy }
    public var message: String { description }
    public var state: LabLockHolderState

    /// The holder, when the lock file names a running process.
    public var holder: LabLockHolder? { if case .running(let holder) = state { holder } else { nil } }

    public var description: String {
        "another run holds the lab lock \(path): \(state); it is released when that run ends (run without --no-wait to wait for it)"
    }
}
