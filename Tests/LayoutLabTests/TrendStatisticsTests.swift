import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabSampling
@testable import LayoutLabReports
@testable import LayoutLabTables

/// `Trend`'s change points on seeded synthetic series (no worker runs): a flat series of many noisy
/// configurations stays dark under Holm–Bonferroni where uncorrected tests light up, a real step among them is
/// found, and deterministic values decide exactly.
@Suite("trend change points: multiplicity and exact values")
struct TrendStatisticsTests {
    /// `folders` tables of `configurations` layouts × 3 repetitions of `metric`, log-normal noise of 5 %; `value`
    /// gives each configuration's true value in each folder.
    static func tables(
        folders: Int, configurations: Int, seed: UInt64, noise: Double = 0.05, value: (Int, Int) -> Double
    ) -> [TrialTable] {
        var generator = SplitMix64(seed: seed)
        func normal() -> Double {
            let u = Double(generator.next() >> 11) / Double(1 << 53), v = Double(generator.next() >> 11) / Double(1 << 53)
            return (-2 * log(max(u, 1e-300))).squareRoot() * cos(2 * .pi * v)
        }
        let header = ["trial_id", "shape", "layout", "nodes", "allocator", "repetition", "status", "m_ns_per_node", "m_bytes_per_node"]
        return (0..<folders).map { folder in
            var rows: [[String]] = []
            for configuration in 0..<configurations {
                for repetition in 1...3 {
                    let measured = value(folder, configuration) * exp(noise * normal())
                    rows.append([
                        "p.l\(configuration).1000.a.r\(repetition)", "p", "l\(configuration)", "1000", "a", String(repetition), "ok",
                        String(measured), String(configuration % 2 == 0 || folder < 2 ? 48 : 64),
                    ])
                }
            }
            return TrialTable(directory: URL(fileURLWithPath: "/f\(folder)"), header: header, trialRows: rows, phases: ([], []))
        }
    }

    @Test func aFlatSeriesOfManyConfigurationsDoesNotLightUpByChance() {
        let tables = Self.tables(folders: 5, configurations: 60, seed: 7) { _, configuration in 100 + Double(configuration) }
        let trend = Trend(tables, metrics: ["m_ns_per_node"])
        #expect(trend.testedSteps == 240)
        // Uncorrected, a few of the 240 steps (Welch is conservative at n = 3) are "beyond noise" by chance alone.
        let uncorrected = trend.series.flatMap(\.steps).filter { ($0.pValue ?? 1) <= 0.05 }.count
        #expect(uncorrected >= 3, "the seed gives chance hits for Holm to remove: \(uncorrected)")
        #expect(trend.changes.isEmpty, "\(trend.changes.map { "\($0.series.configuration.name) step \($0.step.from)" })")
    }

    @Test func aRealStepAmongNoisySeriesIsFoundWhereItIs() {
        let tables = Self.tables(folders: 5, configurations: 20, seed: 11) { folder, configuration in
            configuration == 3 && folder >= 3 ? 200 : 100
        }
        let trend = Trend(tables, metrics: ["m_ns_per_node"])
        #expect(trend.changes.map { "\($0.series.configuration.layout)@\($0.step.from + 1)" } == ["l3@3"])
    }

    @Test func exactValuesDecideExactly() {
        let tables = Self.tables(folders: 4, configurations: 4, seed: 3) { _, _ in 100 }
        let trend = Trend(tables, metrics: ["m_bytes_per_node"])
        // Odd configurations go from 48 to 64 bytes at folder 3; the rest are identical throughout.
        #expect(trend.changes.map { "\($0.series.configuration.layout)@\($0.step.from + 2)" } == ["l1@3", "l3@3"])
        #expect(trend.testedSteps == 2, "identical steps are not tested")
        #expect(trend.series[1].points[2] == GeometricMeanInterval([64, 64, 64]))
    }

    /// trend.csv reads back into the rows it was written from (one description: `TrendTable.schema`).
    @Test func trendCSVReadsBackIntoItsRows() throws {
        let tables = Self.tables(folders: 3, configurations: 2, seed: 5) { folder, _ in folder == 2 ? 300 : 100 }
        let trend = Trend(tables, metrics: ["m_ns_per_node", "m_bytes_per_node"])
        let folders = TrendReport.Folders(paths: ["/f0", "/f1", "/f2"], labels: ["a", "b", "c"], allocatorVersions: [["a": "1"], [:], ["a": "2"]])
        let rows = TrendReport.rows(trend, folders: folders)
        let directory = try TestSupport.temporaryDirectory("trend-csv")
        let file = directory.appendingPathComponent("trend.csv")
        try TrendReport.csv(trend, folders: folders).write(to: file, atomically: true, encoding: .utf8)
        let read = try TestSupport.readCSV(file)
        #expect(read.header == TrendTable.header)
        let back = read.rows.map { cells in TrendTable.row(read.header.map { cells[$0] ?? "" }) }
        #expect(back == rows.map { TrendTable.schema.asWritten($0, blank: TrendRow()) })
        #expect(rows.count == 12 && rows.contains { $0.change == true && $0.folderIndex == 3 && $0.unit == "ns/node" })
        #expect(rows.filter { $0.folderIndex == 1 }.allSatisfy { $0.change == nil && $0.stepRatio == nil })
    }
}
