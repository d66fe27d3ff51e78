import Foundation
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
    public static let busyExitCode: Int32 = 75
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
    /// `progressInterval` seconds. Throws `LabLockBusy` without waiting when `wait` is false, and `RunError`
    /// when the run is interrupted while waiting or the file cannot be opened.
    @discardableResult
    public func acquire(
        experiments: [String], wait: Bool, interruption: RunInterruption? = nil,
        say: (String) -> Void, progress: (String) -> Void
    ) throws -> LabLockWait {
        mutex.lock()
        defer { mutex.unlock() }
        if let acquisition { return acquisition }
        let fd = try openFile()
        let started = MonotonicClock.nowNanoseconds()
        var holders: [LabLockHolder] = []
        var lastProgress = started
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(fd)
                throw RunError("cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            attempts += 1
            let holder = Self.readHolder(fd)
            if holder == nil, holders.isEmpty, attempts == 5, wait {
                // The holder writes its lines right after taking the lock; one that has not after a second cannot.
                say("waiting for the lab lock \(path), held by a process that has not written its name; --no-wait refuses instead")
            }
            if let holder, holder != holders.last {
                holders.append(holder)
                if wait {
                    say("waiting for the lab lock \(path), held by \(holder); --no-wait refuses instead")
                }
            }
            guard wait else {
                close(fd)
                throw LabLockBusy(path: path, holder: holder)
            }
            if interruption?.isStopped == true {
                close(fd)
                throw RunError("stopped by \(interruption?.reason ?? "a signal") while waiting for the lab lock \(path)")
            }
            let now = MonotonicClock.nowNanoseconds()
            if Double(now - lastProgress) / 1e9 >= Self.progressInterval {
                lastProgress = now
                let waited = Int((Double(now - started) / 1e9).rounded())
                progress("still waiting for the lab lock: \(waited) s so far (held by pid \(holders.last.map { String($0.pid) } ?? "?"))")
            }
            usleep(UInt32(Self.pollInterval * 1e6))
        }
        let waited = Double(MonotonicClock.nowNanoseconds() - started) / 1e9
        let me = LabLockHolder(
            pid: getpid(), experiments: experiments, sinceUtc: EnvironmentProbe.utcTimestamp(),
            host: ProcessInfo.processInfo.hostName, command: CommandLine.arguments.joined(separator: " "))
        Self.writeHolder(me, to: fd)
        descriptor = fd
        let record = LabLockWait(path: path, acquiredUtc: me.sinceUtc, waitedSeconds: waited, holdersSeen: holders)
        acquisition = record
        return record
    }

    /// Opens (creating) the lock file read-write, readable and writable by every user so that any user's run
    /// can take it; read-only when another user's file refuses writing (the lock works, the holder lines are
    /// not written).
    private func openFile() throws -> Int32 {
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        if fd >= 0 {
            _ = fchmod(fd, 0o666)
        } else if errno == EACCES {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard fd >= 0 else {
            throw RunError("cannot open the lab lock file \(path): \(String(cString: strerror(errno))) (set \(Self.environmentVariable) to another path)")
        }
        return fd
    }

    private static func writeHolder(_ holder: LabLockHolder, to fd: Int32) {
        let bytes = Array(holder.fileText.utf8)
        guard ftruncate(fd, 0) == 0 else { return }
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The holder's lines, or nil while it has not written them yet (or could not).
    static func readHolder(_ fd: Int32) -> LabLockHolder? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return LabLockHolder(fileText: String(decoding: buffer[..<count], as: UTF8.self))
    }

    /// The holder named in a lock file, read without taking the lock (what `--no-wait` and tests report).
    public static func holder(atPath path: String) -> LabLockHolder? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readHolder(fd)
    }
}

/// Who holds the lab lock, as its holder writes it into the lock file: one `key: value` line each, readable
/// with `cat`.
public struct LabLockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var experiments: [String]
    /// When the holder took the lock (UTC, ISO 8601).
    public var sinceUtc: String
    public var host: String?
    public var command: String

    public init(pid: Int32, experiments: [String], sinceUtc: String, host: String?, command: String) {
        self.pid = pid
        self.experiments = experiments
        self.sinceUtc = sinceUtc
        self.host = host
        self.command = command
    }

    var fileText: String {
        "pid: \(pid)\nexperiments: \(experiments.joined(separator: ", "))\nsince_utc: \(sinceUtc)\nhost: \(host ?? "")\ncommand: \(command)\n"
    }

    init?(fileText: String) {
        var fields: [String: String] = [:]
        for line in fileText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let since = fields["since_utc"] else { return nil }
        self.pid = pid
        experiments = (fields["experiments"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        sinceUtc = since
        host = fields["host"].flatMap { $0.isEmpty ? nil : $0 }
        command = fields["command"] ?? ""
    }

    public var description: String {
        let names = experiments.isEmpty ? "" : ", experiment \(experiments.joined(separator: ", "))"
        return "pid \(pid)\(names), since \(sinceUtc)\(command.isEmpty ? "" : " (\(command))")"
    }
}

/// What taking the lab lock cost one start of a run (`environment.json`, `lab_lock`: one entry per start and
/// per `--resume`).
public struct LabLockWait: Codable, Sendable, Equatable {
    public var path: String
    public var acquiredUtc: String
    /// Seconds from the first attempt to holding the lock (0.0… when it was free).
    public var waitedSeconds: Double
    /// The holders seen while waiting, in order; empty when the lock was free.
    public var holdersSeen: [LabLockHolder]
}

/// Another run holds the lab lock and the caller asked not to wait (`--no-wait`).
public struct LabLockBusy: Error, CustomStringConvertible {
    public var path: String
    public var holder: LabLockHolder?

    public var description: String {
        "another run holds the lab lock \(path): \(holder.map(\.description) ?? "a process that has not written its name yet"); it is released when that run ends (run without --no-wait to wait for it)"
    }
}
