import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabExperiments
@testable import LayoutLabCodegen
@testable import LayoutLabHost
@testable import LayoutLabRunner
@testable import LayoutLabCalibration

@Suite("End to end: experiment → workers → CSV", .serialized)
struct EndToEndTests {
    static let experimentText = """
        { "name": "e2e", "description": "small end-to-end run",
          "shapes": [
            { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] },
            { "name": "padded", "fields": [ {"name": "a", "type": "int8"}, {"name": "b", "type": "int64"}, {"name": "c", "type": "int8"} ] }
          ],
          "nodes": [1000000], "allocators": ["system", "jemalloc"], "repetitions": 1, "checkpoints": 20 }
        """

    @Test func smallRunMeasuresWhatPhysicsSays() throws {
        let directory = try TestSupport.temporaryDirectory("e2e")
        let file = directory.appendingPathComponent("e2e.json")
        try Self.experimentText.write(to: file, atomically: true, encoding: .utf8)
        let experiments = try ExperimentLoader.checkingThisHost.load(paths: [file.path])
        let out = directory.appendingPathComponent("results")
        let runs = try SuiteRunner(options: try TestSupport.runOptions(out: out)).run(experiments)
        #expect(runs.count == 1)
        #expect(runs[0].failedTrials == 0, "\(runs[0].records.filter { $0.status != .ok }.map { "\($0.trial.id): \($0.message ?? "")" })")

        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv"))
        #expect(Set(trials.header).isSuperset(of: [
            "trial_id", "experiment", "layout", "shape", "fields", "payload_size_bytes", "payload_stride_bytes", "nodes",
            "allocator", "repetition", "status", "allocate_ns_per_node", "requested_bytes_per_node", "usable_bytes_per_node",
            "rss_bytes_per_node", "allocator_allocated_bytes_per_node", "allocator_active_bytes_per_node",
            "container_bytes_per_node", "baseline_rss_bytes", "peak_rss_bytes",
        ]))
        #expect(Set(samples.header).isSuperset(of: [
            "trial_id", "phase", "nodes_alive", "elapsed_ns", "rss_bytes", "rss_anon_bytes", "pss_bytes", "private_dirty_bytes",
            "vm_hwm_bytes", "allocator_allocated_bytes", "allocator_active_bytes", "allocator_resident_bytes",
            "allocator_metadata_bytes", "allocator_mapped_bytes", "allocator_retained_bytes", "sample_ns",
        ]))
        #expect(trials.rows.count == 2 * 5 * 2)
        #expect(samples.rows.count == trials.rows.count * 21)
        let environment = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("environment.json"))) as? [String: Any]
        #expect(environment?["status"] as? String == "complete")
        let allocators = environment?["allocators"] as? [[String: Any]] ?? []
        #expect(allocators.count == 2)
        #expect(allocators.allSatisfy { ($0["sha256"] as? String)?.count == 64 })

        func row(_ shape: String, _ layout: String, _ allocator: String) throws -> [String: String] {
            try #require(trials.rows.first { $0["shape"] == shape && $0["layout"] == layout && $0["allocator"] == allocator })
        }
        func number(_ row: [String: String], _ column: String) throws -> Double {
            try #require(Double(row[column] ?? ""), "\(column) of \(row["trial_id"] ?? "?") is empty")
        }
        for allocator in ["system", "jemalloc"] {
            // Value layouts: the RSS growth per node is the payload stride (struct array) or the sum of the
            // field sizes (columns): 16 and 16 for the point, 24 and 10 for [int8, int64, int8].
            for (shape, stride, columns) in [("point", 16.0, 16.0), ("padded", 24.0, 10.0)] {
                let structArray = try number(try row(shape, "struct-array", allocator), "rss_bytes_per_node")
                #expect(abs(structArray - stride) / stride < 0.05, "struct-array \(shape) \(allocator): \(structArray)")
                let columnar = try number(try row(shape, "columns", allocator), "rss_bytes_per_node")
                #expect(abs(columnar - columns) / columns < 0.05, "columns \(shape) \(allocator): \(columnar)")
            }
            // A final class requests its 16-byte header plus the payload, and the allocator rounds it up.
            let finalClass = try row("point", "final-class", allocator)
            #expect(try number(finalClass, "requested_bytes_per_node") == 32)
            #expect(try number(finalClass, "usable_bytes_per_node") >= 32)
            #expect(try number(finalClass, "container_bytes_per_node") >= 8)
            let dictClass = try row("point", "dict-class", allocator)
            #expect(try number(dictClass, "rss_bytes_per_node") > 3 * (try number(finalClass, "rss_bytes_per_node")))
        }
        for row in trials.rows {
            #expect(row["status"] == "ok")
            #expect(!(row["allocator_allocated_bytes_per_node"] ?? "").isEmpty)
            if row["allocator"] == "jemalloc" {
                #expect(row["malloc_provider"]?.contains("jemalloc") == true)
                #expect(!(row["allocator_active_bytes_per_node"] ?? "").isEmpty)
            } else {
                #expect(row["malloc_provider"]?.contains("libc") == true)
                #expect(row["allocator_active_bytes_per_node"] == "", "glibc has no active figure; the cell stays empty")
            }
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("generated-layouts.swift").path))
    }

    @Test func aWorkerWithTheWrongAllocatorFailsTheTrial() throws {
        let directory = try TestSupport.temporaryDirectory("mismatch")
        let shape = Shape(name: "point", fields: [Field(name: "x", type: .int64)])
        let options = try TestSupport.runOptions(out: directory)
        let source = LayoutSourceGenerator().source(shapes: [shape], layouts: [.finalClass])
        let library = try LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory).library(for: source)
        let jemalloc = try SharedLibraryResolver().resolve("libjemalloc.so.2").get()
        let request = WorkerRequest(
            trialID: "t.final-class.1.system.r1",
            layout: .generated(libraryPath: library.path, entrySymbol: LayoutSourceGenerator.entrySymbol(shapeIndex: 0, layout: .finalClass)),
            nodes: 1000, checkpoints: 2, smaps: .off, allocatorStatistics: .jemalloc,
            expectedMallocProvider: jemalloc, probeNodes: 10)
        let trial = Trial(experiment: "m", shapeIndex: 0, shape: shape, layout: .finalClass, nodes: 1000, allocator: .jemalloc, repetition: 1)
        // Asked for jemalloc but not preloaded: glibc serves malloc, and the worker must refuse to measure.
        let result = WorkerLauncher(workerPath: options.workerPath, timeoutSeconds: 60)
            .run(request, trial: trial, preload: nil, environment: [:], logURL: directory.appendingPathComponent("w.log"))
        #expect(result.status == .failed(exitCode: 1))
        #expect(result.message?.contains("not by the requested") == true, "\(result.message ?? "")")
        #expect(result.samples.isEmpty)
    }
}
