import Foundation
@testable import LayoutLabExperiments
@testable import LayoutLabHost
import Testing

/// The commands that read a results folder (`report`, `plot`, `compare`, `merge`) read only the folder: a run
/// whose custom allocator library has since moved away (a laptop reporting a cluster's results) still opens,
/// while `run` and `validate`, which check that an experiment can run here, still refuse it.
@Suite("Read-only commands on a folder whose allocator library is gone from this host")
struct ReadOnlyCommandTests {
    /// A copy of the committed fixture whose second allocator is a custom `myje` preloading `library`.
    static func folderWithCustomAllocator(library: String, in directory: URL, label: String) throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture", withExtension: nil))
        let copy = directory.appendingPathComponent(label)
        try FileManager.default.copyItem(at: source, to: copy)
        func rewrite(_ name: String, _ edit: (String) -> String) throws {
            let url = copy.appendingPathComponent(name)
            try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        }
        try rewrite("experiment.json") {
            $0.replacingOccurrences(of: #""allocators": ["system", "jemalloc"]"#, with: #""allocators": ["system", {"name": "myje", "library": "\#(library)"}]"#)
        }
        for table in ["trials.csv", "samples.csv", "phases.csv", "per-node.csv"] {
            try rewrite(table) { $0.replacingOccurrences(of: ".jemalloc.", with: ".myje.").replacingOccurrences(of: ",jemalloc,", with: ",myje,") }
        }
        try rewrite("environment.json") { $0.replacingOccurrences(of: #""name" : "jemalloc""#, with: #""name" : "myje""#) }
        return copy
    }

    @Test func readOnlyCommandsOpenAFolderWhoseLibraryMovedAway() throws {
        let directory = try TestSupport.temporaryDirectory("read-only")
        // The library the run preloaded, in a folder of its own that then goes away.
        let moved = directory.appendingPathComponent("cluster-lib")
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        let library = moved.appendingPathComponent("libjemalloc.so.2")
        try FileManager.default.copyItem(atPath: try SharedLibraryResolver().resolve("libjemalloc.so.2").get(), toPath: library.path)
        let a = try Self.folderWithCustomAllocator(library: library.path, in: directory, label: "a")
        let b = try Self.folderWithCustomAllocator(library: library.path, in: directory, label: "b")
        let experiment = a.appendingPathComponent("experiment.json").path
        let before = try TestSupport.run("layoutlab", ["validate", experiment, "--no-memory-check"])
        #expect(before.status == 0, "with the library present the experiment is valid here: \(before.stderr)")
        try FileManager.default.removeItem(at: moved)

        // Tools a read-only command has no business starting, first on PATH: each notes its name and fails.
        let tools = directory.appendingPathComponent("tools")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        let started = directory.appendingPathComponent("started.txt")
        for tool in ["git", "swiftc", "python3", "python", "valgrind", "dpkg-query", "objcopy", "sbatch", "sha256sum"] {
            let script = tools.appendingPathComponent(tool)
            try "#!/bin/sh\necho \(tool) >> '\(started.path)'\nexit 1\n".write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }
        let path = ["PATH": tools.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]

        let commands: [[String]] = [
            ["report", a.path], ["plot", b.path], ["compare", a.path, b.path],
            ["merge", a.path, "--out", directory.appendingPathComponent("merged").path],
        ]
        for arguments in commands {
            let result = try TestSupport.run("layoutlab", arguments, environment: path)
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
            #expect(!result.stderr.contains("no such file"), "\(arguments[0]) checked the host: \(result.stderr)")
            let ran = (try? String(contentsOf: started, encoding: .utf8)) ?? ""
            #expect(ran.isEmpty, "\(arguments[0]) started \(ran.split(separator: "\n").joined(separator: ", "))")
            try? FileManager.default.removeItem(at: started)
        }
        #expect(try String(contentsOf: a.appendingPathComponent("report.md"), encoding: .utf8).contains("myje"))

        let message = "$.allocators[1].library: expected a shared object, got \"\(library.path)\": no such file"
        for arguments in [["validate", experiment, "--no-memory-check"], ["run", experiment, "--out", directory.appendingPathComponent("rerun").path]] {
            let refused = try TestSupport.run("layoutlab", arguments)
            #expect(refused.status == 2, "\(arguments[0]) must still check the host: \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(arguments[0]): \(refused.stderr)")
        }
    }

    @Test func onlyTheHostCheckingLoaderAsksForLibrariesAndInterpreters() throws {
        let text = #"""
            {"name": "elsewhere", "layouts": ["final-class", "python-dict-class"], "python": "/nonexistent/python3",
             "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}], "nodes": [10],
             "allocators": [{"name": "myje", "library": "/nonexistent/libjemalloc.so.2"}], "instructions": "valgrind"}
            """#
        let experiment = try ExperimentLoader().load(data: Data(text.utf8), path: "elsewhere.json")
        #expect(experiment.allocators.map(\.library) == ["/nonexistent/libjemalloc.so.2"])
        #expect(experiment.python == nil)
        do {
            _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "elsewhere.json")
            Issue.record("the host check accepted a missing library and interpreter")
        } catch {
            #expect(error.problems.map(\.jsonPath) == ["$.allocators[0].library", "$.python"], "\(error)")
        }
    }
}
