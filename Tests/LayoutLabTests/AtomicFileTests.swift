import Foundation
import Synchronization
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments

@Suite("Atomic files")
struct AtomicFileTests {
    /// Writers of one target in one process (tests run in parallel; a library caller may have threads) never
    /// share a temporary file: every write succeeds, the file is always one whole version, nothing is left over.
    @Test func concurrentWritersOfOneFileNeverMix() throws {
        let directory = try TestSupport.temporaryDirectory("atomic")
        let target = directory.appendingPathComponent("table.csv")
        let versions = [Data(repeating: UInt8(ascii: "a"), count: 200_000), Data(repeating: UInt8(ascii: "b"), count: 100_000)]
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 200) { k in
            do { try AtomicFile.write(versions[k % 2], to: target) } catch { failures.withLock { $0 += 1 } }
            if let read = FileManager.default.contents(atPath: target.path), !versions.contains(read) {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left == ["table.csv"], "no temporary file left: \(left)")
    }
}
