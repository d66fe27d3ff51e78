import Foundation
import Testing

@testable import LayoutLabHost
@testable import LayoutLabSampling

/// The `fork` phase in both workers: what forked children un-share by reading or writing the nodes, a child's
/// death failing its trial instead of hanging it, the Python figures against a bare interpreter, and the Python
/// worker's `interpreter` line.
@Suite("Fork phases", .serialized)
struct ForkPhaseTests {
    static let fourInts = """
        [ {"name": "a", "type": "int64"}, {"name": "b", "type": "int64"}, {"name": "c", "type": "int64"}, {"name": "d", "type": "int64"} ]
        """

    /// Runs `layoutlab run` on `text` (killed after `timeoutSeconds`); returns its status, wall seconds and CSV rows.
    static func run(
        _ text: String, label: String, environment: [String: String] = [:], timeoutSeconds: Double = 300
    ) throws -> (status: Int32, seconds: Double, trials: [[String: String]], phases: [[String: String]]) {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let started = MonotonicClock.nowNanoseconds()
        let result = try TestSupport.runTool(
            TestSupport.buildDirectory.appendingPathComponent("layoutlab").path, ["run", file.path, "--out", out.path],
            environment: TestSupport.withPrivateLock(environment), timeoutSeconds: timeoutSeconds)
        let seconds = Double(MonotonicClock.nowNanoseconds() - started) / 1e9
        return (result.status, seconds, try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows,
                try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows)
    }

    static func number(_ row: [String: String]?, _ column: String) throws -> Double {
        try #require(Double(row?[column] ?? ""), "\(column) empty in \(row?["trial_id"] ?? "no row") \(row?["phase"] ?? "")")
    }

    /// Value layouts keep their pages shared with children that only read them: each child's Private_Dirty grows
    /// by less than 5 % of the payload stride per node, while a child that writes every node un-shares at least
    /// the payload (its copy-on-write copies), and each child still shares the nodes' pages after a read.
    @Test func valueLayoutChildrenThatReadKeepTheNodesShared() throws {
        let nodes = 2_000_000
        let run = try Self.run("""
            { "name": "fork-values", "layouts": ["struct-array", "columns"],
              "shapes": [ { "name": "rec", "fields": \(Self.fourInts) } ],
              "nodes": [\(nodes)], "allocators": ["system"], "repetitions": 1, "checkpoints": 4, "probe_nodes": 0,
              "phases": ["allocate", {"phase": "fork", "children": 2, "work": "traverse"},
                         {"phase": "fork", "children": 2, "work": "mutate", "order": "random"}] }
            """, label: "fork-values")
        #expect(run.status == 0)
        for layout in ["struct-array", "columns"] {
            let trial = try #require(run.trials.first { $0["layout"] == layout })
            #expect(trial["status"] == "ok", "\(trial["message"] ?? "")")
            let stride = try Self.number(trial, "payload_stride_bytes")
            #expect(stride == 32)
            let rows = run.phases.filter { $0["trial_id"] == trial["trial_id"] && $0["phase"] == "fork" }
            try #require(rows.count == 2)
            for row in rows {
                #expect(row["children"] == "2" && row["children_reported"] == "2", "\(layout)")
                #expect(row["ns_per_node"] == "", "the parent only forks and waits")
                #expect(Int(row["rss_bytes_start"] ?? "") ?? 0 > nodes * 32 && Int(row["rss_bytes_end"] ?? "") ?? 0 > nodes * 32)
                #expect(try Self.number(row, "child_ns_per_node") > 0)
                #expect(try Self.number(row, "child_pss_bytes_per_node") > 0)
            }
            let read = try Self.number(rows[0], "child_private_dirty_bytes_per_node")
            #expect(read < 0.05 * stride, "\(layout): a reading child un-shared \(read) B/node of a \(stride) B stride")
            #expect(try Self.number(rows[0], "child_shared_bytes_per_node") >= stride, "\(layout): the nodes' pages stay shared")
            let written = try Self.number(rows[1], "child_private_dirty_bytes_per_node")
            #expect(written >= 0.98 * stride, "\(layout): a writing child un-shared only \(written) B/node of a \(stride) B stride")
        }
    }

    /// A child killed by SIGKILL (as the OOM killer would) before it reports fails its trial within seconds, with
    /// a message naming the child and the signal; the other trials run on and succeed.
    @Test func aChildKilledBeforeItReportsFailsItsTrialWithoutHanging() throws {
        let run = try Self.run("""
            { "name": "fork-kill", "layouts": ["struct-array", "final-class", "python-slots-class"],
              "shapes": [ { "name": "rec", "fields": \(Self.fourInts) } ],
              "nodes": [200000], "allocators": ["system"], "repetitions": 1, "checkpoints": 4, "probe_nodes": 0,
              "phases": ["allocate", {"phase": "fork", "children": 4, "work": "traverse"}] }
            """, label: "fork-kill", environment: ["LAYOUTLAB_FAULT": "kill@child:2@trial:rec.struct-array.200000.system.r1"],
            timeoutSeconds: 120)
        #expect(run.status == 1, "a suite with a failed trial exits 1")
        #expect(run.seconds < 60, "the run took \(run.seconds) s")
        let killed = try #require(run.trials.first { $0["layout"] == "struct-array" })
        #expect(killed["status"] == "failed:exit 1")
        #expect(killed["message"] == "fork child 2 of 4 was killed by SIGKILL before it reported", "\(killed["message"] ?? "")")
        for layout in ["final-class", "python-slots-class"] {
            let other = try #require(run.trials.first { $0["layout"] == layout })
            #expect(other["status"] == "ok", "\(layout): \(other["message"] ?? "")")
            let row = run.phases.first { $0["trial_id"] == other["trial_id"] && $0["phase"] == "fork" }
            #expect(row?["children_reported"] == "4")
        }
    }

    /// Python objects that forked children read (every attribute: each read writes the value's and the node's
    /// reference counts) and then collect once un-share what a bare interpreter doing the same un-shares
    /// (bench/python-fork-check.py), within 10 %, for plain and __slots__ objects; children that only collect too, and
    /// with gc.freeze() before the fork the collection un-shares almost nothing while the reads still un-share all.
    @Test(arguments: [false, true])
    func pythonChildrenUnshareWhatABareInterpreterUnshares(freeze: Bool) throws {
        let nodes = 300_000
        let run = try Self.run("""
            { "name": "fork-python", "layouts": ["python-slots-class", "python-dict-class"], "python_gc_freeze": \(freeze),
              "shapes": [ { "name": "rec", "fields": \(Self.fourInts) } ],
              "nodes": [\(nodes)], "allocators": ["system"], "repetitions": 1, "checkpoints": 4, "probe_nodes": 0,
              "phases": ["allocate", {"phase": "fork", "children": 2, "work": "none"}, {"phase": "fork", "children": 2, "work": "traverse"}] }
            """, label: "fork-python")
        #expect(run.status == 0)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bench/python-fork-check.py")
        for layout in ["python-slots-class", "python-dict-class"] {
            let trial = try #require(run.trials.first { $0["layout"] == layout })
            #expect(trial["status"] == "ok", "\(trial["message"] ?? "")")
            var figures: [String: Double] = [:]
            for (index, work) in ["none", "traverse"].enumerated() {
                let row = run.phases.first { $0["trial_id"] == trial["trial_id"] && $0["phase_index"] == String(index + 1) }
                #expect(row?["children_reported"] == "2" && row?["python_gc_freeze"] == String(freeze))
                let lab = try Self.number(row, "child_private_dirty_bytes_per_node")
                figures[work] = lab
                let bare = try TestSupport.runTool(
                    "/usr/bin/env", ["python3", script.path, layout, String(nodes), "4", "2", freeze ? "freeze" : "nofreeze", work],
                    environment: ["PYTHONMALLOC": "malloc"])
                try #require(bare.status == 0, "\(bare.stderr)")
                let cells = bare.stdout.split(whereSeparator: \.isWhitespace)
                let independent = try #require(cells.count == 6 ? Double(cells[5]) : nil, "\(bare.stdout)")
                if freeze && work == "none" {
                    // A few pages of the interpreter's own against ~300 B per object: compare in bytes, not ratios.
                    #expect(abs(lab - independent) < 5, "\(layout) \(work) freeze: lab \(lab) vs bare interpreter \(independent) B/node")
                } else {
                    #expect(independent > 100, "\(work): the reads or the collection un-share the objects' pages")
                    #expect(abs(lab / independent - 1) < 0.10, "\(layout) \(work): lab \(lab) vs bare interpreter \(independent) B/node")
                }
            }
            if freeze {
                #expect(figures["none"]! < 5 && figures["traverse"]! > 100, "gc.freeze() spares the collection's writes, not the reads' refcounts")
            }
        }
    }

    /// The Python worker's interpreter line reaches trials.csv (GIL on for a default build, the RSS the
    /// interpreter had before the lab's imports), and a gc.freeze() request is recorded on the fork row.
    @Test func thePythonInterpreterLineAndGCFreezeReachTheTables() throws {
        let run = try Self.run("""
            { "name": "fork-interpreter", "layouts": ["python-tuple", "struct-array"], "python_gc_freeze": true,
              "shapes": [ { "name": "rec", "fields": \(Self.fourInts) } ],
              "nodes": [20000], "allocators": ["system"], "repetitions": 1, "checkpoints": 4, "probe_nodes": 0,
              "phases": ["allocate", {"phase": "fork", "children": 1, "work": "none"}] }
            """, label: "fork-interpreter")
        #expect(run.status == 0)
        let python = try #require(run.trials.first { $0["layout"] == "python-tuple" })
        #expect(python["python_gil_enabled"] == "true")
        let startRSS = try Self.number(python, "process_start_rss_bytes")
        #expect(startRSS > 1_000_000 && startRSS < 200_000_000, "\(startRSS) B")
        #expect(startRSS < (try Self.number(python, "baseline_rss_bytes")), "the interpreter alone is less than the worker at its baseline")
        let swift = try #require(run.trials.first { $0["layout"] == "struct-array" })
        #expect(swift["python_gil_enabled"] == "" && swift["process_start_rss_bytes"] == "")
        let fork = run.phases.first { $0["trial_id"] == python["trial_id"] && $0["phase"] == "fork" }
        #expect(fork?["python_gc_freeze"] == "true" && fork?["children_reported"] == "1")
        #expect(fork?["child_ns_per_node"] == "", "a child that does nothing has no time per node")
    }
}
