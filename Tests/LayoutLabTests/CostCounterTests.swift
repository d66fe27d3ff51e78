import CLayoutLabShims
import Foundation
import Testing

@testable import LayoutLabSampling
@testable import LayoutLabExperiments
@testable import LayoutLabCalibration

/// Whether this machine's PMU counts instructions for this process (most VMs have none).
private func machineHasInstructionCounter() -> Bool {
    var probe = ll_hardware_counters()
    guard ll_hardware_counters_open(&probe) == 0 else { return false }
    ll_hardware_counters_close(&probe)
    return true
}

/// Touches `pages` fresh 4 KiB pages (huge pages refused), so the thread takes one minor fault per page.
private func touchFreshPages(_ pages: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    guard let region = mmap(nil, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
        region != MAP_FAILED
    else { return }
    _ = madvise(region, pages * page, MADV_NOHUGEPAGE)
    let bytes = region.assumingMemoryBound(to: UInt8.self)
    for index in 0..<pages { bytes[index * page] = 1 }
    munmap(region, pages * page)
}

@Suite("Cost counters per phase", .serialized)
struct CostCounterTests {
    /// What happens between `pause` and `resume` (where the worker samples) is not counted; what happens
    /// inside the stretches is, fault by fault.
    @Test func countersCoverOnlyTheStretches() throws {
        let counters = try CostCounters(instructions: .hardware)
        counters.warm()
        counters.beginPhase()
        counters.resume()
        touchFreshPages(256)
        counters.pause()
        touchFreshPages(1024)  // "sampling": outside every stretch
        counters.resume()
        touchFreshPages(256)
        counters.pause()
        let phase = counters.endPhase(index: 0)
        let faults = try #require(phase.minorFaults)
        #expect(faults >= 512 && faults < 512 + 64, "512 pages touched inside the stretches, 1024 outside: \(faults)")
        #expect((phase.cpuNs ?? 0) > 0)
        #expect(phase.majorFaults == 0)
        #expect(phase.stealNs != nil && phase.neighbourCPUNs != nil, "/proc/stat is readable here")
    }

    /// Without a PMU (this VM class) the hardware cells are empty, never 0; with one they are counts.
    @Test func hardwareCountsAreEmptyWithoutAPMU() throws {
        let counters = try CostCounters(instructions: .hardware)
        counters.beginPhase()
        counters.resume()
        touchFreshPages(16)
        counters.pause()
        let phase = counters.endPhase(index: 0)
        if machineHasInstructionCounter() {
            #expect((phase.instructions ?? 0) > 0)
            #expect(counters.hardwareError == nil)
        } else {
            #expect(phase.instructions == nil && phase.cycles == nil && phase.cacheMisses == nil && phase.dtlbMisses == nil)
            #expect(counters.hardwareError != nil)
        }
        let off = try CostCounters(instructions: .off)
        off.beginPhase()
        off.resume()
        off.pause()
        #expect(off.endPhase(index: 0).instructions == nil)
        #expect(off.hardwareError == nil, "off opens nothing, so nothing failed")
        #expect(throws: CostCounterError.self, "valgrind mode outside valgrind must refuse") {
            try CostCounters(instructions: .valgrind)
        }
    }

    /// A real run: counters in phases.csv and trials.csv, plausible, and empty hardware cells without a PMU.
    @Test func aRunRecordsCountersPerPhase() throws {
        let directory = try TestSupport.temporaryDirectory("counters")
        let text = """
            { "name": "counters", "layouts": ["final-class", "python-slots-class"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [20000], "allocators": ["system"], "checkpoints": 10, "phases": ["allocate", "traverse"] }
            """
        let file = directory.appendingPathComponent("counters.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        let pmu = machineHasInstructionCounter()
        let phases = try TestSupport.readCSV(out.appendingPathComponent("phases.csv"))
        #expect(phases.rows.count == 4)
        for row in phases.rows {
            let elapsed = try #require(Double(row["elapsed_ns"] ?? ""))
            let cpu = try #require(Double(row["cpu_ns"] ?? ""), "\(row["trial_id"] ?? "") \(row["phase"] ?? ""): no cpu_ns")
            // The CPU clock's stretches hold the time stretches plus a few reads each (11 stretches at most).
            #expect(cpu > 0 && cpu <= elapsed + 11 * 100_000, "cpu \(cpu) ns against elapsed \(elapsed) ns")
            for column in ["minor_faults", "major_faults", "voluntary_switches", "involuntary_switches", "steal_ns", "neighbour_cpu_ns"] {
                #expect(Int(row[column] ?? "") != nil, "\(column) of \(row["trial_id"] ?? "")")
            }
            let python = row["trial_id"]?.contains("python") == true
            #expect((row["instructions"] ?? "").isEmpty == (!pmu || python))
            #expect(row["instructions_source"] == (pmu && !python ? "hardware" : ""))
        }
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        for row in trials.rows {
            #expect(row["status"] == "ok")
            // Fresh memory: about one fault per 4 KiB page the nodes fill (final-class: 48 B per node under glibc).
            let faults = try #require(Double(row["allocate_minor_faults_per_node"] ?? ""))
            #expect(faults > 0)
            if row["layout"] == "final-class" {
                let rss = try #require(Double(row["rss_bytes_per_node"] ?? ""))
                #expect(abs(faults - rss / 4096) < 0.5 * rss / 4096, "\(faults) faults per node for \(rss) B per node")
            }
            #expect(Double(row["allocate_cpu_ns_per_node"] ?? "") != nil)
            #expect((row["allocate_instructions_per_node"] ?? "").isEmpty == (!pmu || row["layout"] != "final-class"))
        }
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains(pmu ? "\"hardware_counters\" : \"instructions counted\"" : "\"hardware_counters\" : \"none: perf_event_open:"))
    }

    /// Under callgrind the counts are exact: identical over repetitions, blind to how often the worker samples,
    /// and a build that runs 2 N more instructions per malloc shows 2 N more per node (one malloc per node).
    @Test func callgrindCountsAreExactAndCatchASlowerBuild() throws {
        let directory = try TestSupport.temporaryDirectory("exact-counts")
        let spin = 100
        let plain = try AllocatorTests.buildBumpAllocator(in: directory, arenaGiB: 1)
        let slower = try AllocatorTests.buildBumpAllocator(in: directory, spinIterations: spin, arenaGiB: 1)
        func experiment(_ name: String, checkpoints: Int, repetitions: Int, allocators: String, layouts: String = "\"final-class\"") -> String {
            """
            { "name": "\(name)", "layouts": [\(layouts)], "instructions": "valgrind",
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [20000], "repetitions": \(repetitions), "checkpoints": \(checkpoints), "allocators": [\(allocators)] }
            """
        }
        func run(_ text: String, _ name: String) throws -> [[String: String]] {
            let file = directory.appendingPathComponent("\(name).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let out = directory.appendingPathComponent(name)
            let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path, "--quiet"])
            try #require(result.status == 0, "\(result.stderr)")
            let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
            #expect(environment.contains("\"valgrind_version\" : \"valgrind-"))
            return try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        }
        let rows = try run(experiment("exact", checkpoints: 10, repetitions: 3, allocators: """
            "jemalloc", {"name": "bump", "library": "\(plain.path)"}, {"name": "bump-spin", "library": "\(slower.path)"}
            """), "exact")
        func counts(_ allocator: String) throws -> [Double] {
            let mine = rows.filter { $0["allocator"] == allocator }
            #expect(mine.count == 3)
            return try mine.map { row in
                #expect(row["status"] == "ok", "\(row["message"] ?? "")")
                #expect(row["instructions_source"] == "valgrind")
                #expect(Double(row["allocate_ns_per_node"] ?? "") != nil, "time comes from the ordinary run")
                return try #require(Double(row["allocate_instructions_per_node"] ?? ""))
            }
        }
        for allocator in ["jemalloc", "bump", "bump-spin"] {
            let values = try counts(allocator)
            #expect(Set(values).count == 1, "\(allocator): \(values)")
        }
        // Each node is one malloc; besides them the stretch holds the container's and, at most, a few of the
        // runtime's first-use allocations: 16 is a bound on those, and the CSV rounds to 0.001 per node.
        let delta = try counts("bump-spin")[0] - counts("bump")[0]
        let expected = Double(2 * spin)
        #expect(delta >= expected - 0.002 && delta <= expected * (1 + 16.0 / 20000) + 0.002, "\(delta) more instructions per node")

        // Sampling is outside the collected stretches. Each extra checkpoint adds only the callback's path into
        // and out of the recorder (1 150 instructions in a debug build, 211 in release, measured with callgrind;
        // 2 000 bounds it), while one sample parses statm and status byte by byte and makes seven mallctl calls
        // (216 000 instructions measured in a debug build, 125 000 in release). 30 extra checkpoints over 20 000
        // nodes: at most 3 per node.
        let sparse = try counts("jemalloc")[0]
        let dense = try run(experiment("dense", checkpoints: 40, repetitions: 1, allocators: "\"jemalloc\", \"mimalloc\", \"tcmalloc\"",
            layouts: "\"final-class\", \"python-slots-class\""), "dense")
        // Python trials get no callgrind run: they still run, and their instructions stay empty.
        let python = dense.filter { $0["layout"] == "python-slots-class" }
        #expect(python.count == 3 && python.allSatisfy {
            $0["status"] == "ok" && $0["allocate_instructions_per_node"] == "" && $0["instructions_source"] == ""
        })
        let denseCount = try #require(Double(dense.first { $0["layout"] == "final-class" && $0["allocator"] == "jemalloc" }?["allocate_instructions_per_node"] ?? ""))
        // Callgrind does not replace malloc: the preloaded allocator passes the worker's provider check under it.
        for (allocator, library) in [("mimalloc", "libmimalloc"), ("tcmalloc", "libtcmalloc")] {
            let row = try #require(dense.first { $0["layout"] == "final-class" && $0["allocator"] == allocator })
            #expect(row["status"] == "ok" && row["instructions_source"] == "valgrind", "\(allocator): \(row["message"] ?? "")")
            #expect(row["malloc_provider"]?.contains(library) == true)
        }
        #expect(abs(denseCount - sparse) < 30 * 2000 / 20000, "10 checkpoints: \(sparse), 40: \(denseCount) instructions per node")
    }

    /// A callgrind run that fails costs the counts only: the ordinary run's figures stay, the trial is ok, its
    /// message says what happened under callgrind, and that run's log is kept. The fault fires in the
    /// instrumented run of r1 alone (`@callgrind`); r2 is counted as usual.
    @Test func aFailedCallgrindRunKeepsTheOrdinaryMeasurement() throws {
        let directory = try TestSupport.temporaryDirectory("callgrind-fault")
        let file = directory.appendingPathComponent("fault.json")
        try """
            { "name": "fault", "layouts": ["final-class"], "instructions": "valgrind",
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [20000], "repetitions": 2, "checkpoints": 10, "allocators": ["system"] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let faulty = "p.final-class.20000.system.r1"
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path, "--quiet"],
            environment: ["LAYOUTLAB_FAULT": "abort@checkpoint:2@trial:\(faulty)@callgrind"])
        #expect(result.status == 0, "every trial is ok: \(result.stderr)")
        #expect(result.stderr.contains("trial \(faulty): ok — under callgrind: crashed:SIGABRT"), "\(result.stderr)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let failed = try #require(rows.first { $0["trial_id"] == faulty })
        #expect(failed["status"] == "ok")
        #expect(Double(failed["allocate_ns_per_node"] ?? "") != nil && Double(failed["rss_bytes_per_node"] ?? "") != nil)
        #expect(failed["allocate_instructions_per_node"] == "" && failed["instructions_source"] == "")
        #expect(failed["message"]?.hasPrefix("under callgrind: crashed:SIGABRT") == true, "\(failed["message"] ?? "")")
        let log = out.appendingPathComponent("workers/\(faulty).callgrind.log")
        #expect(FileManager.default.fileExists(atPath: log.path), "the callgrind run's log is kept")
        let counted = try #require(rows.first { $0["trial_id"] == "p.final-class.20000.system.r2" })
        #expect(counted["status"] == "ok" && counted["instructions_source"] == "valgrind" && counted["message"] == "")
        #expect(Double(counted["allocate_instructions_per_node"] ?? "") != nil)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("workers/p.final-class.20000.system.r2.callgrind.log").path))

        // The callgrind run has 20 times the trial's timeout: with 0.5 s a hang there is killed at 10 s, and
        // the ordinary run (well under 0.5 s) is kept.
        let once = directory.appendingPathComponent("once.json")
        try String(contentsOf: file, encoding: .utf8).replacing("\"repetitions\": 2", with: "\"repetitions\": 1")
            .write(to: once, atomically: true, encoding: .utf8)
        let slow = directory.appendingPathComponent("slow")
        let hung = try TestSupport.run(
            "layoutlab", ["run", once.path, "--out", slow.path, "--quiet", "--trial-timeout", "0.5"],
            environment: ["LAYOUTLAB_FAULT": "hang@checkpoint:2@callgrind"])
        #expect(hung.status == 0, "\(hung.stderr)")
        let row = try #require(try TestSupport.readCSV(slow.appendingPathComponent("trials.csv")).rows.first)
        #expect(row["status"] == "ok" && row["allocate_instructions_per_node"] == "" && Double(row["allocate_ns_per_node"] ?? "") != nil)
        #expect(row["message"]?.hasPrefix("under callgrind: timeout: the worker ran longer than 10 s") == true, "\(row["message"] ?? "")")
    }
}
