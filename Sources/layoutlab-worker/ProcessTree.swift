#if canImport(Glibc)
import Glibc
#endif
import LayoutLabSampling

/// Finds a program's process tree and sums its RSS, from outside: this kernel has no `/proc/PID/task/TID/children`
/// and no usable cgroup2, so each scan lists `/proc`, reads `/proc/N/stat` of every numeric entry (one `open`,
/// `read`, `close` each) for its parent pid, state and `rss` (pages, the same resident count as `statm`), then
/// follows parent links down from the root. Zombies are left out (their memory is gone). Every buffer (the process
/// table, the path, the file bytes) and the `/proc` directory stream are made in `init`, before the program starts:
/// a scan allocates nothing (`rewinddir` reuses the stream).
final class ProcessTree {
    /// Processes a scan can hold; a machine with more counts only the first ones `/proc` lists.
    static let capacity = 32_768

    private let directory: OpaquePointer
    private let pids: UnsafeMutableBufferPointer<Int32>
    private let parents: UnsafeMutableBufferPointer<Int32>
    private let rssPages: UnsafeMutableBufferPointer<Int>
    private let inTree: UnsafeMutableBufferPointer<Bool>
    private let path: UnsafeMutableBufferPointer<CChar>
    private let contents: UnsafeMutableRawBufferPointer
    private let pageSizeBytes: Int

    init() throws(WorkerFailure) {
        guard let directory = opendir("/proc") else { throw WorkerFailure("cannot list /proc: \(String(cString: strerror(errno)))") }
        self.directory = directory
        pids = .allocate(capacity: Self.capacity)
        parents = .allocate(capacity: Self.capacity)
        rssPages = .allocate(capacity: Self.capacity)
        inTree = .allocate(capacity: Self.capacity)
        path = .allocate(capacity: 64)
        contents = .allocate(byteCount: 4096, alignment: 8)
        pageSizeBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    deinit {
        closedir(directory)
        pids.deallocate()
        parents.deallocate()
        rssPages.deallocate()
        inTree.deallocate()
        path.deallocate()
        contents.deallocate()
    }

    /// The processes alive in the tree rooted at `root` (the root included) and the sum of their RSS in bytes.
    func scan(root: Int32) -> (processes: Int, rssBytes: Int) {
        var count = 0
        rewinddir(directory)
        while count < Self.capacity, let entry = readdir(directory) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { Self.pid(named: $0) }
            guard pid > 0, let (parent, rss) = readStat(pid) else { continue }
            pids[count] = pid
            parents[count] = parent
            rssPages[count] = rss
            inTree[count] = pid == root
            count += 1
        }
        // Parent links down from the root: a pass marks the children of marked processes, until one marks none
        // (as many passes as the tree is deep, plus one).
        var changed = true
        while changed {
            changed = false
            for index in 0..<count where !inTree[index] {
                let parent = parents[index]
                for other in 0..<count where inTree[other] && pids[other] == parent {
                    inTree[index] = true
                    changed = true
                    break
                }
            }
        }
        var processes = 0
        var pages = 0
        for index in 0..<count where inTree[index] {
            processes += 1
            pages += rssPages[index]
        }
        return (processes, pages * pageSizeBytes)
    }

    /// A directory entry's name as a pid; 0 for a name that is not all digits.
    private static func pid(named bytes: UnsafeRawBufferPointer) -> Int32 {
        var value: Int32 = 0
        for byte in bytes {
            if byte == 0 { break }
            guard byte >= 0x30, byte <= 0x39, value < 100_000_000 else { return 0 }
            value = value * 10 + Int32(byte - 0x30)
        }
        return value
    }

    /// `/proc/PID/stat`'s parent pid and `rss` (field 24, pages); nil when the process is gone, is a zombie, or the
    /// line does not parse. The command name (field 2) may hold spaces and parentheses: fields are counted after
    /// its last `)`.
    private func readStat(_ pid: Int32) -> (parent: Int32, rssPages: Int)? {
        guard let base = path.baseAddress, let bytes = contents.baseAddress else { return nil }
        var length = 0
        for byte in "/proc/".utf8 { base[length] = CChar(bitPattern: byte); length += 1 }
        var divisor: Int32 = 1
        while pid / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            base[length] = CChar(0x30 + (pid / divisor) % 10)
            length += 1
            divisor /= 10
        }
        for byte in "/stat".utf8 { base[length] = CChar(bitPattern: byte); length += 1 }
        base[length] = 0
        let descriptor = open(base, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var filled = 0
        while filled < contents.count {
            let count = read(descriptor, bytes + filled, contents.count - filled)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        guard let stat = ProcPidStat(parsing: UnsafeRawBufferPointer(start: bytes, count: filled)),
            stat.state != UInt8(ascii: "Z"), let rss = stat.rssPages
        else { return nil }
        return (Int32(truncatingIfNeeded: stat.parentPID), rss)
    }
}
