import Foundation
import Testing

@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabTables
@testable import LayoutLabCalibration

@Suite("Workload phases", .serialized)
struct PhaseTests {
    static func run(_ text: String, label: String) throws -> (trials: [[String: String]], phases: [[String: String]], out: URL) {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        return (try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows,
                try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows, out)
    }

    @Test func everyPhaseOfEveryTrialIsRecordedAndMeansWhatItSays() throws {
        let nodes = 2_000_000
        let (trials, phases, out) = try Self.run("""
            { "name": "all-phases", "layouts": ["final-class", "struct-array"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [\(nodes)], "allocators": ["system", "jemalloc"], "repetitions": 1, "checkpoints": 10, "seed": 11,
              "phases": ["allocate", "traverse", {"phase": "traverse", "order": "random"}, {"phase": "mutate", "order": "random"},
                         "free-half", "reallocate", {"phase": "churn", "rounds": 2, "fraction": 0.1}, "free-all", "purge"] }
            """, label: "phases")
        let names = ["allocate", "traverse", "traverse", "mutate", "free-half", "reallocate", "churn", "free-all", "purge"]
        for trial in trials {
            let rows = phases.filter { $0["trial_id"] == trial["trial_id"] }
            #expect(rows.map { $0["phase"] ?? "" } == names, "\(trial["trial_id"] ?? "")")
        }
        // peak_rss_bytes is the allocate phase's VmHWM, as the README says; the whole trial's is apart.
        let allSamples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        for trial in trials {
            let mine = allSamples.filter { $0["trial_id"] == trial["trial_id"] }
            let allocatePeak = mine.filter { $0["phase_index"] == "0" }.compactMap { Int($0["vm_hwm_bytes"] ?? "") }.max()
            let trialPeak = mine.compactMap { Int($0["vm_hwm_bytes"] ?? "") }.max()
            #expect(allocatePeak != nil && trial["peak_rss_bytes"] == allocatePeak.map(String.init), "\(trial["trial_id"] ?? "")")
            #expect(trial["trial_peak_rss_bytes"] == trialPeak.map(String.init))
        }
        #expect(trials.allSatisfy { Int($0["trial_peak_rss_bytes"] ?? "") ?? 0 >= Int($0["peak_rss_bytes"] ?? "") ?? .max },
                "a high-water mark never falls")
        func row(_ layout: String, _ allocator: String, _ index: Int) throws -> [String: String] {
            try #require(phases.first { ($0["trial_id"] ?? "").hasPrefix("point.\(layout).\(nodes).\(allocator).") && $0["phase_index"] == String(index) })
        }
        func number(_ row: [String: String], _ column: String) throws -> Double {
            try #require(Double(row[column] ?? ""), "\(column) empty in \(row["trial_id"] ?? "") \(row["phase"] ?? "")")
        }
        for allocator in ["system", "jemalloc"] {
            // The traversal really reads every field: x = i, y = i + 1 sum to N² whatever the order.
            #expect(try row("final-class", allocator, 1)["checksum"] == PhasesTable.checksumCell(nodes * nodes))
            #expect(try row("final-class", allocator, 2)["checksum"] == PhasesTable.checksumCell(nodes * nodes))
            #expect(try row("final-class", allocator, 2)["seed"] == "11")
            // Sequential reads of a contiguous array beat chasing pointers in random order.
            #expect(try number(try row("struct-array", allocator, 1), "ns_per_node") < number(try row("final-class", allocator, 2), "ns_per_node"))
            // Freeing every other node leaves the RSS of all of them: each live node holds twice what it did
            // right after allocate (where the ratio is 1 by its definition).
            let freed = try row("final-class", allocator, 4)
            #expect(freed["live_nodes_end"] == String(nodes / 2))
            #expect(try number(freed, "fragmentation_ratio") > 1.9)
            #expect(try row("final-class", allocator, 0)["fragmentation_ratio"] == "1.000")
            // A value layout cannot free single nodes, and says so instead of faking a number.
            let valueFree = try row("struct-array", allocator, 4)
            #expect(valueFree["applicable"] == "false" && valueFree["ns_per_node"] == "" && valueFree["nodes_processed"] == "" && (valueFree["note"] ?? "").contains("value layout"))
            #expect(valueFree["live_nodes_end"] == String(nodes))
            #expect(try row("final-class", allocator, 5)["live_nodes_end"] == String(nodes))
            #expect(try row("final-class", allocator, 7)["live_nodes_end"] == "0")
        }
        // After free-all and purge, at least one allocator has given most of the nodes' RSS back, and the CSV
        // shows how much each kept.
        var returnedShares: [Double] = []
        for allocator in ["system", "jemalloc"] {
            let allocate = try row("final-class", allocator, 0)
            let grown = try number(allocate, "rss_bytes_end") - number(try row("final-class", allocator, 0), "rss_bytes_start")
            let returned = try number(try row("final-class", allocator, 7), "rss_returned_bytes") + number(try row("final-class", allocator, 8), "rss_returned_bytes")
            returnedShares.append(returned / grown)
        }
        #expect(returnedShares.contains { $0 > 0.5 }, "\(returnedShares)")
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv"))
        #expect(Set(samples.rows.compactMap { $0["phase"] }) == Set(names))
        // Without an allocate-warm phase there is no warm figure: empty cells, not zeros.
        #expect(trials.allSatisfy { $0["warm_allocate_ns_per_node"] == "" && $0["warm_allocate_rss_bytes_per_node"] == "" })
    }

    /// The traversal really reads every node: its exact instruction count (callgrind, sampling excluded) grows
    /// tenfold with ten times the nodes. Counted, not timed, so a loaded machine cannot fail it.
    @Test func traversalWorkScalesWithTheNodeCount() throws {
        let (_, phases, _) = try Self.run("""
            { "name": "scaling", "layouts": ["final-class"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [100000, 1000000], "repetitions": 1, "checkpoints": 4, "phases": ["allocate", "traverse"],
              "instructions": "valgrind", "probe_nodes": 0 }
            """, label: "scaling")
        func instructions(_ nodes: Int) throws -> Double {
            try #require(phases.first { ($0["trial_id"] ?? "").contains(".\(nodes).") && $0["phase"] == "traverse" }
                .flatMap { Double($0["instructions"] ?? "") })
        }
        // Ten times the nodes: reads the compiler had dropped would not grow with them.
        let ratio = try instructions(1_000_000) / instructions(100_000)
        #expect(ratio > 9.5 && ratio < 10.5, "traverse instructions grew \(ratio)× for 10× the nodes")
        #expect(try instructions(100_000) > 100_000, "at least one instruction per node read")
    }

    /// allocate-warm rebuilds every node after free-all with the allocate code path, in both workers: the nodes
    /// are really there (live count, traversal checksum), its samples run from 0 to N, and trials.csv carries its
    /// time and RSS growth per node beside the fresh-memory figures.
    @Test func warmAllocationRebuildsEveryNodeAfterFreeAll() throws {
        let nodes = 200_000
        let (trials, phases, out) = try Self.run("""
            { "name": "warm", "layouts": ["final-class", "struct-array", "python-slots-class"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [\(nodes)], "allocators": ["jemalloc"], "repetitions": 1, "checkpoints": 5, "probe_nodes": 1000,
              "phases": ["allocate", "free-all", "allocate-warm", "traverse", "free-all"] }
            """, label: "warm")
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        for layout in ["final-class", "struct-array", "python-slots-class"] {
            let id = "point.\(layout).\(nodes).jemalloc.r1"
            let rows = phases.filter { $0["trial_id"] == id }
            #expect(rows.map { $0["phase"] ?? "" } == ["allocate", "free-all", "allocate-warm", "traverse", "free-all"], "\(layout)")
            guard rows.count == 5 else { continue }
            #expect(rows[1]["live_nodes_end"] == "0" && rows[2]["live_nodes_end"] == String(nodes), "\(layout)")
            // Counted after the rebuild, not assumed: the traversal's live nodes come from the node classes.
            #expect(rows[3]["live_nodes_end"] == String(nodes), "\(layout): nodes alive while traversing the rebuilt ones")
            #expect(rows[4]["live_nodes_end"] == "0", "\(layout)")
            // x = i, y = i + 1 sum to N² in Swift; Python's ints are i + 1000 and i + 1001.
            let checksum = layout.hasPrefix("python") ? nodes * (nodes - 1) + 2001 * nodes : nodes * nodes
            #expect(rows[3]["checksum"] == PhasesTable.checksumCell(checksum), "\(layout): the traversal reads the rebuilt nodes")
            let warm = samples.filter { $0["trial_id"] == id && $0["phase"] == "allocate-warm" }.compactMap { Int($0["nodes_alive"] ?? "") }
            #expect(warm.first == 0 && warm.last == nodes && warm.count == 6, "\(layout): \(warm)")
            let trial = try #require(trials.first { $0["trial_id"] == id })
            #expect((Double(trial["warm_allocate_ns_per_node"] ?? "") ?? 0) > 0, "\(layout)")
            #expect(Double(trial["warm_allocate_rss_bytes_per_node"] ?? "") != nil, "\(layout)")
        }
    }

    @Test func phaseSpecsRoundTrip() {
        for spec in [PhaseSpec(.traverse, order: .random), PhaseSpec(.churn, rounds: 3, fraction: 0.25), PhaseSpec(.purge)] {
            #expect(PhaseSpec(spec.description) == spec)
        }
        #expect(PhaseSpec("traverse") == nil, "traverse always carries its order")
        #expect(PhaseSpec(.churn, rounds: 2, fraction: 0.1).nodesProcessed(of: 1000) == 200)
    }
}

@Suite("Reference fields in phases", .serialized)
struct ReferencePhaseTests {
    @Test func freeHalfFreesHalfAndValueLayoutsReadReferences() throws {
        let nodes = 10_001
        let (_, phases, _) = try PhaseTests.run("""
            { "name": "refs", "layouts": ["final-class", "dict-class", "struct-array", "columns"],
              "shapes": [ { "name": "tree", "fields": [ {"name": "value", "type": "int64"}, {"name": "parent", "type": "reference"} ] } ],
              "nodes": [\(nodes)], "repetitions": 1, "checkpoints": 4, "phases": ["allocate", "traverse", "free-half", "reallocate"] }
            """, label: "refs")
        func row(_ layout: String, _ phase: String) throws -> [String: String] {
            try #require(phases.first { ($0["trial_id"] ?? "").hasPrefix("tree.\(layout).") && $0["phase"] == phase })
        }
        // No node is kept alive by a reference when the odd half is freed, and reallocating restores N.
        for layout in ["final-class", "dict-class"] {
            #expect(try row(layout, "free-half")["live_nodes_end"] == String(nodes - nodes / 2), "\(layout)")
            #expect(try row(layout, "reallocate")["live_nodes_end"] == String(nodes), "\(layout)")
        }
        // Every layout reads the reference field: the same checksum (values 0..N-1 plus N-1 present references).
        let expected = PhasesTable.checksumCell((nodes - 1) * nodes / 2 + (nodes - 1))
        for layout in ["final-class", "dict-class", "struct-array", "columns"] {
            #expect(try row(layout, "traverse")["checksum"] == expected, "\(layout)")
        }
    }
}
