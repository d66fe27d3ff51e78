import Foundation
import Testing

@testable import LayoutLabSampling

@Suite("/proc parsers on fixture text")
struct ProcParserTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "txt"))
        return try Data(contentsOf: url)
    }

    @Test func statmResidentPagesTimesPageSize() throws {
        let reading = try Self.fixture("statm").withUnsafeBytes { StatmReading(parsing: $0, pageSizeBytes: 4096) }
        #expect(reading?.residentBytes == 2750 * 4096)
    }

    @Test func statmRejectsText() {
        let reading = Data("not statm".utf8).withUnsafeBytes { StatmReading(parsing: $0, pageSizeBytes: 4096) }
        #expect(reading == nil)
    }

    @Test func statusLinesInBytes() throws {
        let reading = try Self.fixture("status").withUnsafeBytes { StatusReading(parsing: $0) }
        #expect(reading.vmRSSBytes == 54321 * 1024)
        #expect(reading.rssAnonBytes == 40000 * 1024)
        #expect(reading.vmHWMBytes == 65432 * 1024)
    }

    @Test func smapsRollupDoesNotConfuseSimilarKeys() throws {
        let reading = try Self.fixture("smaps_rollup").withUnsafeBytes { SmapsRollupReading(parsing: $0) }
        #expect(reading.rssBytes == 54324 * 1024)
        #expect(reading.pssBytes == 50112 * 1024)  // not Pss_Dirty or Pss_Anon
        #expect(reading.privateDirtyBytes == 40104 * 1024)
        #expect(reading.anonymousBytes == 40000 * 1024)
    }

    @Test func missingKeysAreNilNotZero() {
        let reading = Data("Name:\tx\nVmRSS:\t10 kB\n".utf8).withUnsafeBytes { StatusReading(parsing: $0) }
        #expect(reading.vmRSSBytes == 10 * 1024)
        #expect(reading.rssAnonBytes == nil)
        #expect(reading.vmHWMBytes == nil)
    }

    @Test func procStatBusyAndStealTicks() {
        let text = "cpu  46534 7 4091 49243 228 3 98 218 0 0\ncpu0 23000 0 2000 24000 100 0 50 100 0 0\nintr 1 2 3\n"
        let reading = Data(text.utf8).withUnsafeBytes { ProcStatReading(parsing: $0) }
        #expect(reading == ProcStatReading(busyTicks: 46534 + 7 + 4091 + 3 + 98, stealTicks: 218))
        #expect(Data("cpu0 1 2 3\n".utf8).withUnsafeBytes { ProcStatReading(parsing: $0) } == nil, "per-CPU lines are not the total")
        #expect(Data("cpu  1 2 3 4 5 6 7\n8\n".utf8).withUnsafeBytes { ProcStatReading(parsing: $0) } == nil, "steal is on the line")
    }

    /// `/proc/PID/stat`: a process is exiting when PF_EXITING (0x4) is among its flags (field 9) or it is a zombie;
    /// a command name with spaces and parentheses and a tpgid of -1 do not shift the fields.
    @Test func pidStatSaysWhetherTheProcessIsExiting() throws {
        func exiting(_ text: String) -> Bool? { Data(text.utf8).withUnsafeBytes { ProcPidStat.isExiting($0) } }
        let tail = " 0 0 0 0 12 3 0 0 20 0 1 0 500 1000000 250 18446744073709551615\n"
        #expect(exiting("1234 (sh) S 1 1234 1234 0 -1 4194560" + tail) == false)
        #expect(exiting("1234 (a) b (c)) R 1 1234 1234 0 -1 4194564" + tail) == true, "0x400104: PF_EXITING set")
        #expect(exiting("1234 (x) Z 1 1234 1234 0 -1 4194560" + tail) == true, "a zombie")
        #expect(exiting("1234 (x) S 1 1234") == nil && exiting("garbage") == nil)
        // The process-tree scan's fields from the same reading: the parent and the resident pages (field 24).
        let reading = Data(("1234 (a) b (c)) S 7 1234 1234 0 -1 4194560" + tail).utf8).withUnsafeBytes { ProcPidStat(parsing: $0) }
        #expect(reading?.parentPID == 7 && reading?.rssPages == 250 && reading?.isGone == false)
        #expect(Data("1234 (x) Z 1 1234 1234 0 -1 4194560 0\n".utf8).withUnsafeBytes { ProcPidStat(parsing: $0) }?.rssPages == nil, "a line stopping before rss")
        let own = try Data(contentsOf: URL(fileURLWithPath: "/proc/self/stat"))
        #expect(own.withUnsafeBytes { ProcPidStat.isExiting($0) } == false, "this running process")
    }
}
