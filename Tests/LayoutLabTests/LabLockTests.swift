import Foundation
import Testing

@testable import LayoutLabHost
@testable import LayoutLabRunner

@Suite("One lab per machine: the lab lock")
struct LabLockTests {
    static func lockPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-locktest-\(UUID().uuidString.prefix(8)).lock").path
    }

    @Test func aSecondHolderIsRefusedUntilTheFirstLetsGo() throws {
        let path = Self.lockPath()
        var first: LabLock? = LabLock(path: path)
        let free = try #require(first).acquire(experiments: ["one"], wait: false, say: { _ in }, progress: { _ in })
        #expect(free.holdersSeen.isEmpty)
        #expect(LabLock.holder(atPath: path)?.pid == getpid())
        #expect(LabLock.holder(atPath: path)?.experiments == ["one"])
        // flock belongs to the open file, so a second open in the same process conflicts as another process would.
        let second = LabLock(path: path)
        do {
            try second.acquire(experiments: ["two"], wait: false, say: { _ in }, progress: { _ in })
            Issue.record("the lock was taken twice")
        } catch let busy as LabLockBusy {
            #expect(busy.holder?.pid == getpid())
            #expect(busy.description.contains("pid \(getpid()), experiment one, since"))
        }
        first = nil
        let taken = try second.acquire(experiments: ["two"], wait: false, say: { _ in }, progress: { _ in })
        #expect(LabLock.holder(atPath: path)?.experiments == ["two"])
        #expect(try second.acquire(experiments: ["two"], wait: false, say: { _ in }, progress: { _ in }) == taken, "taking it again is a no-op")
    }

    /// A pid that no process has: a child that has exited and been reaped.
    static func deadPid() throws -> Int32 {
        let child = try ChildProcess(executable: "/bin/true", arguments: [], environment: [:], standardOutput: .null)
        _ = child.wait()
        return child.pid
    }

    /// Holds `path` as a holder that opened it read-only (the fallback for a file it may not write) would: the
    /// lock is taken, the file keeps whatever lines it had. Returns the descriptor; closing it releases the lock.
    static func holdReadOnly(_ path: String, lines: String) throws -> Int32 {
        try lines.write(toFile: path, atomically: false, encoding: .utf8)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd
    }

    @Test func aHolderThatIsGoneIsNeverNamed() throws {
        let path = Self.lockPath()
        let dead = try Self.deadPid()
        let fd = try Self.holdReadOnly(path, lines: "pid: \(dead)\nexperiments: old\nsince_utc: 2026-01-01T00:00:00Z\nhost: \ncommand: layoutlab run old.json\n")
        defer { close(fd) }
        do {
            try LabLock(path: path).acquire(experiments: ["next"], wait: false, say: { _ in }, progress: { _ in })
            Issue.record("the lock was taken while held")
        } catch let busy as LabLockBusy {
            #expect(busy.holder == nil, "pid \(dead) is not running: it cannot be the holder")
            #expect(busy.state == .gone(try #require(LabLock.holder(atPath: path))))
            #expect(busy.description.contains("an unknown holder (the lock file still names pid \(dead), which is no longer running"), "\(busy)")
            #expect(!busy.description.contains("pid \(dead), experiment old"))
        }
    }

    @Test func aReusedPidIsNotTheHolder() throws {
        // Our own pid is running, but it did not start at the recorded time: the kernel gave the pid to another process.
        let path = Self.lockPath()
        let mine = Self.lockPath()
        try LabLock(path: mine).acquire(experiments: ["mine"], wait: false, say: { _ in }, progress: { _ in })
        let started = try #require(LabLock.holder(atPath: mine)?.startTicks, "a holder writes when its process started")
        let lines = { (ticks: UInt64) in "pid: \(getpid())\nexperiments: old\nsince_utc: 2026-01-01T00:00:00Z\nstart_ticks: \(ticks)\ncommand: x\n" }
        var fd = try Self.holdReadOnly(path, lines: lines(started + 1))
        #expect(throws: LabLockBusy.self) { try LabLock(path: path).acquire(experiments: ["n"], wait: false, say: { _ in }, progress: { _ in }) }
        #expect(LabLock.holder(atPath: path)?.isRunning == false)
        close(fd)
        fd = try Self.holdReadOnly(path, lines: lines(started))
        defer { close(fd) }
        #expect(LabLock.holder(atPath: path)?.isRunning == true, "the same pid and start time is the holder")
    }

    @Test func aHolderThatHasNotWrittenIsUnknown() throws {
        let path = Self.lockPath()
        let fd = try Self.holdReadOnly(path, lines: "")
        defer { close(fd) }
        do {
            try LabLock(path: path).acquire(experiments: ["next"], wait: false, say: { _ in }, progress: { _ in })
            Issue.record("the lock was taken while held")
        } catch let busy as LabLockBusy {
            #expect(busy.state == .notWritten)
            #expect(busy.description.contains("an unknown holder (it has not written its name into the lock file yet)"))
        }
    }

    /// Lines said by a waiting `acquire` on another thread.
    final class Said: @unchecked Sendable {
        private let mutex = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { mutex.withLock { lines.append(line) } }
        var all: [String] { mutex.withLock { lines } }
    }

    @Test func aWaiterSaysUnknownHolderForADeadOneAndRecordsIt() throws {
        let path = Self.lockPath()
        let dead = try Self.deadPid()
        let fd = try Self.holdReadOnly(path, lines: "pid: \(dead)\nexperiments: old\nsince_utc: 2026-01-01T00:00:00Z\ncommand: x\n")
        let said = Said()
        let finished = DispatchSemaphore(value: 0)
        let lock = LabLock(path: path)
        let waiter = Thread {
            _ = try? lock.acquire(experiments: ["next"], wait: true, say: { said.append($0) }, progress: { _ in })
            finished.signal()
        }
        waiter.start()
        for _ in 0..<600 where said.all.isEmpty { usleep(20_000) }
        close(fd)
        #expect(finished.wait(timeout: .now() + 60) == .success)
        #expect(said.all.count == 1, "\(said.all)")
        #expect(said.all.first?.contains("held by an unknown holder (the lock file still names pid \(dead), which is no longer running") == true, "\(said.all)")
        let record = try #require(lock.wait)
        #expect(record.holdersSeen.isEmpty, "a dead pid is not recorded as a holder")
        #expect(record.unknownHolderSeen == true)
        #expect(record.nameNotWritten == nil)
        #expect(LabLock.holder(atPath: path)?.pid == getpid(), "the new holder replaced the dead one's lines")
    }

    @Test func theDefaultPathFollowsTheEnvironment() {
        #expect(LabLock.defaultPath(environment: ["LAYOUTLAB_LOCK_FILE": "/x/y.lock"]) == "/x/y.lock")
        let machine = LabLock.defaultPath(environment: [:])
        #expect(machine == "/run/lock/layoutlab.lock" || machine == "/tmp/layoutlab.lock")
    }

    static func experiment(_ name: String, in directory: URL, timeout: Int = 60) throws -> URL {
        let file = directory.appendingPathComponent("\(name).json")
        try """
            { "name": "\(name)", "layouts": ["struct-array"], "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}],
              "nodes": [1000], "checkpoints": 2, "probe_nodes": 10, "trial_timeout_seconds": \(timeout) }
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Starts a run whose only trial hangs (until its trial timeout, if any) and returns once it holds the lock.
    static func startHolder(_ name: String, in directory: URL, lock: String, timeout: Int) throws -> ChildProcess {
        let file = try experiment(name, in: directory, timeout: timeout)
        let holder = try TestSupport.start(
            "layoutlab", ["run", file.path, "--out", directory.appendingPathComponent(name).path, "--quiet"],
            environment: ["LAYOUTLAB_LOCK_FILE": lock, "LAYOUTLAB_FAULT": "hang@checkpoint:1"])
        for _ in 0..<600 where LabLock.holder(atPath: lock)?.pid != holder.pid { usleep(50_000) }
        try #require(LabLock.holder(atPath: lock)?.pid == holder.pid, "the first run did not take the lock")
        return holder
    }

    @Test func aSecondRunWaitsForTheFirstOrRefusesWithNoWait() throws {
        let directory = try TestSupport.temporaryDirectory("lock-wait")
        let lock = Self.lockPath()
        // The holder's trial hangs until its 4 s timeout, then the run ends (exit 1: a trial timed out).
        let holder = try Self.startHolder("holder", in: directory, lock: lock, timeout: 4)
        let second = try Self.experiment("second", in: directory)

        let refused = try TestSupport.run(
            "layoutlab", ["run", second.path, "--out", directory.appendingPathComponent("refused").path, "--no-wait"],
            environment: ["LAYOUTLAB_LOCK_FILE": lock])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("another run holds the lab lock \(lock): pid \(holder.pid), experiment holder, since"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("refused").path), "nothing ran")

        let out = directory.appendingPathComponent("waited")
        let waited = try TestSupport.run(
            "layoutlab", ["run", second.path, "--out", out.path], environment: ["LAYOUTLAB_LOCK_FILE": lock])
        #expect(holder.wait() == .exited(1), "the holder ended on its own, its hanging trial timed out")
        #expect(waited.status == 0, "\(waited.stderr)")
        let said = waited.stderr.components(separatedBy: "waiting for the lab lock").count - 1
        #expect(said == 1, "the holder is named once: \(waited.stderr)")
        #expect(waited.stderr.contains("waiting for the lab lock \(lock), held by pid \(holder.pid), experiment holder, since"))

        let environment = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("environment.json"))) as? [String: Any])
        let entries = try #require(environment["lab_lock"] as? [[String: Any]])
        #expect(entries.count == 1)
        let seconds = try #require(entries[0]["waited_seconds"] as? Double)
        #expect(seconds > 1, "it waited for the holder's trial: \(seconds) s")
        let seen = try #require(entries[0]["holders_seen"] as? [[String: Any]])
        #expect(seen.first?["pid"] as? Int == Int(holder.pid))
        #expect(seen.first?["experiments"] as? [String] == ["holder"])
        #expect(entries[0]["path"] as? String == lock)
        let holderEnvironment = try String(contentsOf: directory.appendingPathComponent("holder/environment.json"), encoding: .utf8)
        #expect(holderEnvironment.contains("\"status\" : \"complete\""), "the holder finished before the second run began")
    }

    @Test func theKernelReleasesTheLockOfAKilledRun() throws {
        let directory = try TestSupport.temporaryDirectory("lock-kill")
        let lock = Self.lockPath()
        let holder = try Self.startHolder("killed", in: directory, lock: lock, timeout: 600)
        holder.send(SIGKILL)
        _ = holder.wait()
        // The file still names the dead holder, but nothing holds the lock: no stale-lock cleanup exists or is needed.
        #expect(LabLock.holder(atPath: lock)?.pid == holder.pid)
        let next = try Self.experiment("next", in: directory)
        let result = try TestSupport.run(
            "layoutlab", ["run", next.path, "--out", directory.appendingPathComponent("next").path, "--no-wait"],
            environment: ["LAYOUTLAB_LOCK_FILE": lock])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
