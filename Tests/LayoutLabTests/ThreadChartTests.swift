import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabReports

/// The charts and tables of issue 16 from synthetic folders (`ThreadForkFixtures`): the scaling chart's data,
/// the table against T = 1, the fork chart and table, the classic charts of a threaded experiment at its
/// smallest T, and `compare`, which never pairs trials of different thread counts.
@Suite("Thread and fork charts", .serialized)
struct ThreadChartTests {
    static func named(_ table: CSVTable) -> [[String: String]] {
        table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0.map { $0 ?? "" })) }
    }

    static func focus(_ run: ExperimentRun) throws -> ChartData.Focus { try #require(ChartData.foci(run.experiment).first) }

    // MARK: Scaling

    @Test func theScalingDataHasALinePerLayoutOverTheThreadCountsWithAGapWhereTheTrialFailed() throws {
        let run = try ResultsFolder.open(ThreadForkFixtures.threadsFolder()).run
        let rows = Self.named(ChartData.scaling(run: run, focus: try Self.focus(run)))
        // 2 allocators × 3 phases × 3 layouts × 3 thread counts, every cell a row (a missing one empty).
        #expect(rows.count == 54)
        let line = rows.filter { $0["allocator"] == "jemalloc" && $0["phase_label"] == "allocate" && $0["layout"] == "struct-array" }
        #expect(line.map { $0["threads"] } == ["1", "2", "4"], "x = the thread counts, in order")
        #expect(line[1]["ns_per_node_median"] == "" && line[1]["rss_bytes_per_node_median"] == "" && line[1]["repetitions"] == "0",
                "the failed T = 2 trial is a gap (empty cells), never a 0 nor its partial row: \(line[1])")
        let expected = (1...2).map { ThreadForkFixtures.nsPerNode(layout: .structArray, allocator: "jemalloc", phase: 0, threads: 4, repetition: $0) }
        #expect(line[2]["ns_per_node_median"] == CSVNumber.cell((expected[0] + expected[1]) / 2), "median of the two repetitions")
        #expect(line[2]["ns_per_node_min"] == CSVNumber.cell(expected.min()!) && line[2]["ns_per_node_max"] == CSVNumber.cell(expected.max()!),
                "two repetitions: their range")
        // RSS per node at the end of remote-free: (RSS end − the trial's first RSS) ÷ nodes.
        let kept = rows.first { $0["allocator"] == "system" && $0["phase_label"] == "remote-free" && $0["layout"] == "class" && $0["threads"] == "4" }
        let rss = (1...2).map { ThreadForkFixtures.rssBytesPerNode(layout: .openClass, allocator: "system", phase: 2, threads: 4, repetition: $0) }
        #expect(kept?["rss_bytes_per_node_median"] == CSVNumber.cell((rss[0] + rss[1]) / 2))
        #expect(Set(rows.map { $0["layout"] ?? "" }) == ["final-class", "struct-array", "class"])
    }

    @Test func theScalingTitleSaysWhichThreadCountsAreOversubscribed() {
        let title = ChartData.scalingTitle(threads: [1, 2, 4], cores: 2, repetitions: 3)
        #expect(title.contains("T above the machine's 2 cores (T = 4) is oversubscribed"), "\(title)")
        #expect(title.contains("median of 3 repetitions, whiskers: their range (min to max)"))
        #expect(ChartData.scalingTitle(threads: [1, 2], cores: 8, repetitions: 1).contains("no T above the machine's 8 cores"))
    }

    @Test func aClassicExperimentHasNoScalingData() throws {
        let run = try ResultsFolder.open(ChartReportTests.fixtureCopy()).run
        #expect(ChartData.scaling(run: run, focus: try Self.focus(run)).rows.isEmpty)
        #expect(ThreadRatioTable.markdown(run).isEmpty && ForkCost.costs(run).isEmpty)
    }

    // MARK: Against T = 1

    @Test func eachRatioDividesByTheSameLayoutAllocatorAndPhaseAtOneThread() throws {
        let run = try ResultsFolder.open(ThreadForkFixtures.threadsFolder()).run
        let ratios = ThreadRatioTable.ratios(run)
        func median(_ figure: (Int) -> Double) -> Double { (figure(1) + figure(2)) / 2 }
        for layout in [LayoutKind.finalClass, .structArray, .openClass] {
            for allocator in ["system", "jemalloc"] {
                for phase in 0..<3 {
                    for threads in [2, 4] {
                        guard !(layout == .structArray && allocator == "jemalloc" && threads == 2) else { continue }
                        let ns = try #require(ratios.first {
                            $0.layout == layout && $0.allocator == allocator && $0.phaseIndex == phase && $0.threads == threads && $0.metric == "ns_per_node"
                        })
                        let at = median { ThreadForkFixtures.nsPerNode(layout: layout, allocator: allocator, phase: phase, threads: threads, repetition: $0) }
                        let one = median { ThreadForkFixtures.nsPerNode(layout: layout, allocator: allocator, phase: phase, threads: 1, repetition: $0) }
                        #expect(ns.baselineThreads == 1 && abs(ns.ratio - at / one) < 1e-3, "\(layout) \(allocator) \(phase) T\(threads): \(ns.ratio) ≠ \(at / one)")
                        let rss = try #require(ratios.first {
                            $0.layout == layout && $0.allocator == allocator && $0.phaseIndex == phase && $0.threads == threads && $0.metric == "rss_bytes_per_node"
                        })
                        let rssAt = median { ThreadForkFixtures.rssBytesPerNode(layout: layout, allocator: allocator, phase: phase, threads: threads, repetition: $0) }
                        let rssOne = median { ThreadForkFixtures.rssBytesPerNode(layout: layout, allocator: allocator, phase: phase, threads: 1, repetition: $0) }
                        #expect(abs(rss.ratio - rssAt / rssOne) < 1e-3 && abs(rss.baseline - rssOne) < 1e-3)
                    }
                }
            }
        }
        #expect(!ratios.contains { $0.layout == .structArray && $0.allocator == "jemalloc" && $0.threads == 2 }, "the failed trial has no ratio")
        let largest = try #require(ThreadRatioTable.largest(ratios, metric: "ns_per_node"))
        #expect(largest.phaseLabel == "remote-free" && largest.allocator == "system" && largest.threads == 4)
    }

    @Test func theReportHasTheTableAgainstOneThreadAndSaysTheLargestRatio() throws {
        let folder = try ResultsFolder.open(ThreadForkFixtures.threadsFolder())
        let report = ReportWriter.render(folder, charts: [])
        #expect(report.contains("## Threads: against T = 1"))
        #expect(report.contains("| layout | phase | ns/node T=1 | ns T=2 ÷ T=1 | ns T=4 ÷ T=1 | RSS B/node T=1 | RSS T=2 ÷ T=1 | RSS T=4 ÷ T=1 | arenas (used) T=1/2/4 | thread caches KiB T=1/2/4 |"))
        // final-class, system, remote-free: 36 ns/node at T = 1 (median of 36 and 37.44: 36.72), 3.1× at T = 4; arenas 1, 2, 4.
        #expect(report.contains("| final-class | remote-free | 36.7 | 1.7× | 3.1× |"), "\(report)")
        #expect(report.contains("| 1 (1) / 2 (2) / 4 (4) | — / — / — |"), "system: arenas, no thread-cache figure")
        #expect(report.contains("| 8 (1) / 8 (2) / 8 (2) | 32.0 / 64.0 / 128.0 |"), "jemalloc: arenas and tcache KiB")
        #expect(report.contains("The largest ratio of ns per node is class under system in remote-free (point, 20000 nodes): 3.41× at T = 4"), "\(report)")
        // The classic tables: one per thread count, never a median over T.
        #expect(report.contains("### point · 20000 nodes · T = 1 thread") && report.contains("### point · 20000 nodes · T = 4 threads"))
        #expect(report.contains("threads · point · 20000 nodes · T = 2 threads · jemalloc · ns/node by phase (median)"))
    }

    @Test func theClassicChartsOfAThreadedExperimentShowItsSmallestThreadCount() throws {
        let folder = try ResultsFolder.open(ThreadForkFixtures.threadsFolder())
        let run = folder.run
        let focus = try Self.focus(run)
        #expect(focus.threads == 1)
        let breakdown = Self.named(ChartData.breakdown(run: run, focus: focus))
        let finalSystem = try #require(breakdown.first { $0["layout"] == "final-class" && $0["allocator"] == "system" })
        #expect(finalSystem["rss_bytes_per_node"] == CSVNumber.cell(40.5), "T = 1's median (40, 41), not one over every T")
        let growth = Self.named(ChartData.growth(samples: folder.sampleRows, run: run, focus: focus))
        #expect(growth.count == 2 * 3 * 5, "repetition 1 at T = 1 of each allocator × layout, 5 samples")
        let times = Self.named(ChartData.phaseTimes(run: run, focus: focus))
        #expect(times.count == 2 * 3 * 3)
        let subtitle = ChartDataWriter.subtitle(folder, focus: focus)
        #expect(subtitle.contains("T = 1 thread, the smallest of 1, 2, 4 (scaling-<allocator>: every T)"))
    }

    // MARK: Fork

    @Test func theForkChartHasAPointPerLayoutAndForkPhaseAgainstTheParentsBytes() throws {
        let run = try ResultsFolder.open(ThreadForkFixtures.forkFolder()).run
        let rows = Self.named(ChartData.fork(run: run, focus: try Self.focus(run)))
        #expect(rows.count == 2 * 3 * 2, "allocators × layouts × fork phases")
        let point = try #require(rows.first { $0["allocator"] == "jemalloc" && $0["layout"] == "struct-array" && $0["work"] == "traverse" })
        #expect(point["rss_bytes_per_node"] == CSVNumber.cell(20.5), "median of the parent's 20 and 21 B/node")
        let child = (1...2).map { ThreadForkFixtures.childPrivateDirtyBytesPerNode(.structArray, allocator: "jemalloc", work: .traverse, repetition: $0) }
        #expect(point["child_private_dirty_bytes_per_node"] == CSVNumber.cell((child[0] + child[1]) / 2))
        #expect(point["gc_freeze"] == "" && point["series_label"] == "children traverse", "Swift: gc.freeze does not apply")
        let python = try #require(rows.first { $0["layout"] == "python-slots-class" && $0["work"] == "mutate" })
        #expect(python["gc_freeze"] == "yes" && python["series_label"] == "children mutate · gc.freeze()" && python["children"] == "4")
        #expect(Set(rows.map { $0["series"] ?? "" }).count == 4, "traverse and mutate, each with and without gc.freeze")
    }

    @Test func theForkTableSaysWhatKWorkersCost() throws {
        let folder = try ResultsFolder.open(ThreadForkFixtures.forkFolder())
        let costs = ForkCost.costs(folder.run)
        let cost = try #require(costs.first { $0.layout == .finalClass && $0.allocator == "system" && $0.work == "traverse" })
        let child = (1...2).map { ThreadForkFixtures.childPrivateDirtyBytesPerNode(.finalClass, allocator: "system", work: .traverse, repetition: $0) }
        let parent = Double(ThreadForkFixtures.parentRSSBytes)
        let forked = (1...2).map { parent + 4 * child[$0 - 1] * Double(ThreadForkFixtures.nodes) }
        #expect(cost.children == 4 && cost.repetitions == 2)
        #expect(cost.forkedWorkersBytes == (forked[0] + forked[1]) / 2, "parent RSS + K × child private dirty")
        #expect(cost.naiveWorkersBytes == 5 * parent, "(K + 1) × parent RSS")
        #expect(cost.pythonGCFreeze == nil && costs.first { $0.layout == .pythonSlotsClass }?.pythonGCFreeze == true)
        let report = ReportWriter.render(folder, charts: [])
        #expect(report.contains("## Forked children"))
        let mib = { (bytes: Double) in Rounded.text(bytes / 1_048_576) }
        let row = "| point | 20000 | final-class | system | traverse | — | 4 | 2 | \(Rounded.text((child[0] + child[1]) / 2)) | "
        #expect(report.contains(row), "\(report)")
        #expect(report.contains("| 40.5 | \(mib((forked[0] + forked[1]) / 2)) | \(mib(5 * parent)) |"), "parent RSS/node, K workers forked and naive")
        #expect(report.contains("| python-slots-class | system | mutate | yes | 4 |"))
    }

    // MARK: Drawn

    @Test func gnuplotDrawsTheScalingAndForkCharts() throws {
        let threads = try ThreadForkFixtures.threadsFolder()
        let result = try TestSupport.run("layoutlab", ["report", threads.path])
        try #require(result.status == 0, "\(result.stderr)")
        for allocator in ["system", "jemalloc"] {
            #expect(try ChartReportTests.pngSize(threads.appendingPathComponent("charts/scaling-\(allocator).png")) == (1600, 1000))
            let svg = try String(contentsOf: threads.appendingPathComponent("charts/scaling-\(allocator).svg"), encoding: .utf8)
            #expect(svg.contains("threads T (log 2 scale)") && svg.contains("ns per node (ns/node, log scale)") && svg.contains("(B/node)"))
            #expect(svg.contains("T above the machine's 2 cores (T = 4) is oversubscribed"))
            #expect(svg.contains("remote-free: wall ns per node"))
        }
        for name in ["growth-system", "bytes-per-node", "phase-times-jemalloc", "timeline-system", "comparison-rss"] {
            #expect(FileManager.default.fileExists(atPath: threads.appendingPathComponent("charts/\(name).png").path), "\(name) at T = 1")
        }
        let report = try String(contentsOf: threads.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("![scaling-system](charts/scaling-system.png)"))

        let fork = try ThreadForkFixtures.forkFolder()
        let drawn = try TestSupport.run("layoutlab", ["report", fork.path])
        try #require(drawn.status == 0, "\(drawn.stderr)")
        let svg = try String(contentsOf: fork.appendingPathComponent("charts/fork.svg"), encoding: .utf8)
        #expect(svg.contains("child Private_Dirty growth ÷ nodes (B/node)") && svg.contains("y = x: a child un-shares every byte of its nodes"))
        #expect(svg.contains("children mutate · gc.freeze()"))
        #expect(!FileManager.default.fileExists(atPath: fork.appendingPathComponent("charts/scaling-system.png").path), "no threads: no scaling chart")
    }
}
