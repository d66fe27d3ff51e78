import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabReports
@testable import LayoutLabCalibration

/// What the charts tell a reader (issue 19, defects 4 and 5, and the growth-chart friction), checked on the
/// drawn SVG where it is about geometry: keys that hide nothing, nothing past the canvas, labels that say what
/// was divided by what, and every segment of a node's bytes under its own name.
@Suite("Charts for readers", .serialized)
struct ChartsForReadersTests {
    static let canvasWidth = 1600.0

    /// Positions and texts of every `<text>` the SVG draws.
    static func texts(_ svg: String) -> [(x: Double, y: Double, text: String)] {
        let pattern = #/translate\(([-\d.]+),([-\d.]+)\)[^>]*>\s*<text>([^<]*)</text>/#
        return svg.matches(of: pattern).compactMap { match in
            guard let x = Double(match.1), let y = Double(match.2) else { return nil }
            return (x, y, String(match.3).trimmingCharacters(in: .whitespaces))
        }
    }

    static func plotFixture() throws -> URL {
        let folder = try ChartReportTests.fixtureCopy()
        let result = try TestSupport.run("layoutlab", ["plot", folder.path])
        try #require(result.status == 0, "\(result.stderr)")
        return folder
    }

    static func svg(_ folder: URL, _ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("charts/\(name).svg"), encoding: .utf8)
    }

    /// The breakdown row of `layout` under `allocator` after `change` to those trials' metrics.
    static func breakdownRow(
        _ layout: LayoutKind, _ allocator: String, change: (inout TrialMetrics) -> Void = { _ in }
    ) throws -> [String: String] {
        var run = try ResultsFolder.open(try ChartReportTests.fixtureCopy()).run
        for index in run.records.indices where run.records[index].trial.layout == layout
            && run.records[index].trial.allocator.name == allocator {
            change(&run.records[index].metrics)
        }
        let table = ChartData.breakdown(run: run, focus: try #require(ChartData.foci(run.experiment).first))
        let cells = try #require(table.rows.first { $0[1] == layout.rawValue && $0[2] == allocator })
        return Dictionary(uniqueKeysWithValues: zip(table.header, cells.map { $0 ?? "" }))
    }

    static func number(_ row: [String: String], _ column: String) throws -> Double {
        try #require(Double(row[column] ?? ""), "\(column) is empty in \(row)")
    }

    /// Defect 4: `comparison-runs-*` says each bar is X (B) ÷ X (A), names folders A and B, and so does B's report.
    @Test func theRunComparisonNamesItsFoldersAndWhatItDivides() throws {
        let a = try ChartReportTests.fixtureCopy(), b = try ChartReportTests.fixtureCopy()
        let compared = try TestSupport.run("layoutlab", ["compare", a.path, b.path])
        try #require(compared.status == 0, "\(compared.stderr)")
        let plotted = try TestSupport.run("layoutlab", ["plot", b.path])
        try #require(plotted.status == 0, "\(plotted.stderr)")
        let texts = Self.texts(try Self.svg(b, "comparison-runs-ns")).map(\.text)
        #expect(texts.contains("A: \(a.standardizedFileURL.path)") && texts.contains("B: \(b.standardizedFileURL.path)"), "\(texts)")
        #expect(texts.contains { $0.contains("dashed: 1.0, B same as A") }, "the dashed line said in the y label (a key would cover bars): \(texts)")
        #expect(!texts.contains { $0.contains("ratio to system (A)") || $0.contains("same as system (A)") }, "\(texts)")
        #expect(texts.contains { $0.hasPrefix("ratio X (B) ÷ X (A)") }, "\(texts)")
        let report = ReportWriter.render(try ResultsFolder.open(b), charts: [])
        #expect(report.contains("- A: `\(a.standardizedFileURL.path)`") && report.contains("- B: `\(b.standardizedFileURL.path)`"))
    }

    /// Defect 5: the phase-times key sits below the frame (it hid the tallest bar), and no chart draws past the
    /// canvas (the bytes-per-node key's right border was cut off).
    @Test func keysHideNoBarAndNothingLeavesTheCanvas() throws {
        let folder = try Self.plotFixture()
        let phaseTexts = Self.texts(try Self.svg(folder, "phase-times-system"))
        let lowestTic = try #require(phaseTexts.filter { Double($0.text) != nil && $0.x < 200 }.map(\.y).max())
        let key = try #require(phaseTexts.first { $0.text == "dict-class" })
        #expect(key.y > lowestTic, "the key (y \(key.y)) must sit below the frame (lowest y tic at \(lowestTic))")
        for chart in ["bytes-per-node", "phase-times-system", "growth-system", "timeline-system", "comparison-rss"] {
            // After the point symbols' definitions, which are drawn around their own origin.
            let full = try Self.svg(folder, chart)
            let svg = full.range(of: "</defs>").map { full[$0.upperBound...] } ?? full[...]
            let xs = svg.matches(of: #/[ML]([-\d.]+),[-\d.]+/#).compactMap { Double($0.1) }
            #expect(!xs.isEmpty && xs.allSatisfy { $0 >= 0 && $0 <= Self.canvasWidth }, "\(chart) draws at x \(xs.max() ?? 0)")
            // In the PNG a key or title cut off at the edge leaves ink on the outermost pixels (checked on the
            // two charts with the widest keys: decoding in pure Python takes a second or two per chart).
            guard ["bytes-per-node", "phase-times-system"].contains(chart) else { continue }
            let script = try #require(Bundle.module.url(forResource: "Fixtures/png_edge_ink", withExtension: "py"))
            let png = folder.appendingPathComponent("charts/\(chart).png").path
            let ink = try TestSupport.runTool("/usr/bin/env", ["python3", script.path, png])
            #expect(ink.status == 0 && ink.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(chart).png has ink on its edge: \(ink.stdout)\(ink.stderr)")
        }
    }

    /// Defect 5: however many allocators, no subtitle line runs past what a title line can hold.
    @Test func subtitlesWrapInsteadOfRunningOffTheChart() throws {
        let folder = try ChartReportTests.fixtureCopy()
        let environment = folder.appendingPathComponent(ResultsFolder.environmentFile)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: environment)) as? [String: Any])
        var allocators = try #require(json["allocators"] as? [[String: Any]])
        for index in 0..<6 {
            var extra = allocators[1]
            extra["name"] = "jemalloc-configuration-\(index)"
            extra["label"] = "jemalloc-configuration-\(index) 5.3.0-1+build.\(index)"
            allocators.append(extra)
        }
        json["allocators"] = allocators
        try JSONSerialization.data(withJSONObject: json).write(to: environment)
        try ChartDataWriter.write(for: try ResultsFolder.open(folder))
        let subtitle = try String(contentsOf: folder.appendingPathComponent("chart-data/subtitle.txt"), encoding: .utf8)
        let lines = subtitle.split(separator: "\n")
        #expect(lines.count >= 4 && lines.allSatisfy { $0.count <= 110 }, "\(lines.map(\.count)): \(subtitle)")
        #expect(subtitle.contains("jemalloc-configuration-5 5.3.0-1+build.5"), "every allocator is named")
    }

    /// Friction: `class` and `final-class` are the same size and draw the same line: each layout has its own
    /// point shape, so the one drawn first stays visible.
    @Test func equalGrowthLinesStayDistinguishable() throws {
        let folder = try Self.plotFixture()
        let svg = try Self.svg(folder, "growth-system")
        let symbols = Set(svg.matches(of: #/<use xlink:href='#(gpPt\d+)' transform='translate/#).map { String($0.1) })
        let layouts = try ResultsFolder.open(folder).experiment.layouts.count
        #expect(symbols.count == layouts, "point shapes drawn: \(symbols.sorted())")
    }

    /// Defect 5: dictionary storage and struct padding are segments of their own, not "headers & bookkeeping".
    @Test func storageAndPaddingHaveTheirOwnSegments() throws {
        let row = try Self.breakdownRow(.dictClass, "jemalloc")
        let requested = try Self.number(row, "headers") + Self.number(row, "dictionary_storage") + Self.number(row, "payload")
        #expect(try Self.number(row, "headers") == 24, "the object's 16-byte header and its 8-byte dictionary reference")
        #expect(try Self.number(row, "dictionary_storage") > 200 && requested > 250, "\(row)")
        #expect(row["padding"] == "0.000")
        let final = try Self.breakdownRow(.finalClass, "jemalloc")
        #expect(final["dictionary_storage"] == "" && final["headers"] == "16.000", "\(final)")
        // [int8, int64, int8]: fields 10 B, size 17, stride 24.
        let padded = Shape(name: "p", fields: [Field(name: "a", type: .int8), Field(name: "b", type: .int64), Field(name: "c", type: .int8)])
        let classSplit = RequestedBytesSplit(requested: 33, layout: .finalClass, shape: padded)
        #expect(classSplit.payload == 10 && classSplit.padding == 7 && classSplit.headers == 16)
        let arraySplit = RequestedBytesSplit(requested: 24, layout: .structArray, shape: padded)
        #expect(arraySplit.padding == 14 && arraySplit.headers == 0)
        #expect(RequestedBytesSplit(requested: 100, layout: .pythonSlotsClass, shape: padded).padding == nil)
    }

    /// Defect 5: where usable bytes exceed RSS the filled bar stops at RSS (its label), and the untouched excess
    /// is drawn apart above it.
    @Test func aBarIsFilledToItsRSSAndTheUntouchedExcessIsApart() throws {
        let row = try Self.breakdownRow(.structArray, "jemalloc") { metrics in
            let rss = metrics.rssBytesPerNode ?? 0
            metrics.usableBytesPerNode = rss + 0.8
            metrics.allocatorActiveBytesPerNode = rss + 0.8
        }
        let rss = try Self.number(row, "rss_bytes_per_node")
        let filled = ChartData.breakdownSegments.filter { $0 != "not_resident" }.compactMap { Double(row["\($0)_top"] ?? "") }.max() ?? 0
        #expect(abs(filled - rss) < 0.01, "filled to \(filled), RSS \(rss)")
        #expect(abs(try Self.number(row, "not_resident") - 0.8) < 0.01)
        #expect(abs(try Self.number(row, "not_resident_top") - (rss + 0.8)) < 0.01)
        #expect(row["label"] == Rounded.text(rss), "\(row)")
        let plain = try Self.breakdownRow(.finalClass, "jemalloc")
        let plainRSS = try Self.number(plain, "rss_bytes_per_node")
        #expect(plain["not_resident"] == "" && plain["not_resident_top"] == "" && plain["label"] == Rounded.text(plainRSS))
    }
}
