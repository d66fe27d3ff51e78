import Foundation
@testable import LayoutLabModel
@testable import LayoutLabResults
@testable import LayoutLabRunner
import Testing

/// Errors are types that carry their message and exit status; the command line prints each once, in one
/// place: `layoutlab: message` (a file diagnostic as it is) on stderr, and the status the command documents.
@Suite("Errors printed once by the command line, with their exit status")
struct ErrorReportingTests {
    @Test func eachErrorIsOneLineOnStderrWithItsStatus() throws {
        let directory = try TestSupport.temporaryDirectory("errors")
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let merge = try TestSupport.run("layoutlab", ["merge", empty.path, "--out", directory.appendingPathComponent("m").path])
        #expect(merge.status == 2, "\(merge.stderr)")
        #expect(merge.stderr == "layoutlab: \(empty.path) is not a results folder of this lab: it has no readable experiment.json\n")

        let source = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture", withExtension: nil))
        let folder = directory.appendingPathComponent("folder")
        try FileManager.default.copyItem(at: source, to: folder)
        let plot = try TestSupport.run("layoutlab", ["plot", folder.path, "--script", "/nonexistent/plot.gnuplot"])
        #expect(plot.status == 1 && plot.stderr == "layoutlab: no gnuplot script at /nonexistent/plot.gnuplot\n", "\(plot.status) \(plot.stderr)")

        // A run that cannot go on is a failure (1), whatever the error's own category: here a folder to resume
        // without its environment.json.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("environment.json"))
        let resume = try TestSupport.run("layoutlab", ["run", "--resume", folder.path])
        #expect(resume.status == 1, "\(resume.stderr)")
        #expect(resume.stderr == "layoutlab: \(folder.path) is not a results folder of this lab: it has no readable environment.json\n")

        // Problems in experiment files are printed as FILE: $.path: message, without the tool's name (exit 2).
        let bad = directory.appendingPathComponent("bad.json")
        try #"{"name": "bad", "shapes": [], "nodes": [0]}"#.write(to: bad, atomically: true, encoding: .utf8)
        let validate = try TestSupport.run("layoutlab", ["validate", bad.path])
        #expect(validate.status == 2 && validate.stderr.hasPrefix("\(bad.path): $.shapes: expected a non-empty list"), "\(validate.stderr)")
        #expect(validate.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix(bad.path) })
    }

    @Test func messagesNameWhatFailedAndWhatToDo() {
        let errors: [(any LabError, String, LabExitStatus)] = [
            (HostError.allocatorLibrary(allocator: "myje", library: "/x/libjemalloc.so.2", problem: .missing),
             "allocator myje: /x/libjemalloc.so.2 is no such file", .failure),
            (HostError.swiftcNotFound(option: "--swiftc"), "no swiftc found: put the Swift toolchain on PATH, set $SWIFTC, or pass --swiftc", .failure),
            (ResultsFolderError.holdsARun(directory: "/r", complete: false), "/r already holds a run; finish it with --resume, or choose another --out", .badInput),
            (MergeRefusal.missingShards(["2/3"]), "shard(s) 2/3 missing; merge them too, or pass --allow-partial", .badInput),
            (LabLockError.stoppedWhileWaiting(path: "/l", reason: "SIGINT"), "stopped by SIGINT while waiting for the lab lock /l", .interrupted),
        ]
        for (error, message, status) in errors {
            #expect(error.message == message && "\(error)" == message)
            #expect(error.exitStatus == status, "\(message)")
        }
        #expect(LabExitStatus.badInput.rawValue == 2 && LabExitStatus.failure.rawValue == 1 && LabLock.busyExitCode == 75)
    }
}
