import LayoutLabProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Takes a `MemorySample`: `statm`, `status` and the allocator's statistics every time, `smaps_rollup`
/// when asked. Every file is opened and every buffer allocated once, in `init`; `take` allocates nothing.
package struct MemorySampler {
    private let statm: ProcFile
    private let status: ProcFile
    private let smapsRollup: ProcFile?
    private let allocatorSource: AllocatorStatisticsSource
    private let pageSizeBytes: Int

    /// Opens the `/proc/self` files. `smapsRollup` is optional because some kernels lack it.
    package init(allocatorSource: AllocatorStatisticsSource, procRoot: String = "/proc/self") throws(ProcFileError) {
        statm = try ProcFile(path: procRoot + "/statm", capacityBytes: 512)
        status = try ProcFile(path: procRoot + "/status", capacityBytes: 8192)
        smapsRollup = try? ProcFile(path: procRoot + "/smaps_rollup", capacityBytes: 8192)
        self.allocatorSource = allocatorSource
        pageSizeBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Whether `smaps_rollup` exists on this kernel.
    package var hasSmapsRollup: Bool { smapsRollup != nil }

    /// Reads every sampler and times the whole reading into `sampleNs`.
    package func take(nodesAlive: Int, elapsedNs: Int, includeSmaps: Bool, includeAllocator: Bool = true) throws(SamplingError) -> MemorySample {
        let start = MonotonicClock.nowNanoseconds()
        var sample = MemorySample(nodesAlive: nodesAlive, elapsedNs: elapsedNs)
        let page = pageSizeBytes
        guard let resident = try read(statm, { StatmReading(parsing: $0, pageSizeBytes: page) }) else {
            throw .unparsable(path: statm.path)
        }
        sample.rssBytes = resident.residentBytes
        let statusReading = try read(status) { StatusReading(parsing: $0) }
        sample.rssAnonBytes = statusReading.rssAnonBytes
        sample.vmHWMBytes = statusReading.vmHWMBytes
        if includeSmaps, let smapsRollup {
            let rollup = try read(smapsRollup) { SmapsRollupReading(parsing: $0) }
            sample.smapsRSSBytes = rollup.rssBytes
            sample.pssBytes = rollup.pssBytes
            sample.privateDirtyBytes = rollup.privateDirtyBytes
            sample.anonymousBytes = rollup.anonymousBytes
        }
        if includeAllocator {
            do throws(AllocatorStatisticsError) {
                sample.allocator = try allocatorSource.read()
            } catch {
                throw .allocator(error)
            }
        }
        sample.sampleNs = MonotonicClock.nowNanoseconds() - start
        return sample
    }

    private func read<R>(_ file: ProcFile, _ parse: (UnsafeRawBufferPointer) -> R) throws(SamplingError) -> R {
        do throws(ProcFileError) {
            return try file.withContents(parse)
        } catch {
            throw .proc(error)
        }
    }
}

/// A sample could not be taken; the trial fails rather than recording a made-up number.
package enum SamplingError: Error, CustomStringConvertible {
    case proc(ProcFileError)
    case unparsable(path: String)
    case allocator(AllocatorStatisticsError)

    package var description: String {
        switch self {
        case .proc(let error): "reading \(error)"
        case .unparsable(let path): "\(path) did not have the expected format"
        case .allocator(let error): error.description
        }
    }
}
