import Foundation
import Testing

@Suite("The layoutlab command, run as a user would")
struct CommandLineTests {
    /// The top-level help lists every subcommand (the README's), and each explains itself: its own
    /// usage line and the overview the top-level help promised.
    @Test func helpExplainsEverySubcommand() throws {
        let top = try TestSupport.run("layoutlab", ["--help"])
        #expect(top.status == 0)
        // "  name   abstract" lines of the SUBCOMMANDS section, continuation lines excluded.
        let section = top.stdout.components(separatedBy: "SUBCOMMANDS:").dropFirst().first ?? ""
        var listed: [(name: String, abstract: String)] = []
        for line in section.split(separator: "\n") where line.hasPrefix("  ") && !line.hasPrefix("   ") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            if words.count == 2, words[0].allSatisfy({ $0.isLowercase || $0 == "-" }) {
                listed.append((words[0], words[1].trimmingCharacters(in: .whitespaces)))
            }
        }
        let expected = ["run", "validate", "compare", "trend", "plot", "report", "calibrate", "merge", "slurm", "bisect", "record", "trace-info"]
        #expect(listed.map(\.name) == expected, "the top-level help lists \(listed.map(\.name))")
        for (name, abstract) in listed {
            let help = try TestSupport.run("layoutlab", [name, "--help"])
            #expect(help.status == 0, "\(name) --help: \(help.stderr)")
            #expect(help.stdout.contains("USAGE: layoutlab \(name)"), "\(name) --help has its own usage line")
            let overview = help.stdout.components(separatedBy: "USAGE:").first?.split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? ""
            let promised = abstract.split(separator: " ").prefix(4).joined(separator: " ")
            #expect(overview.contains("OVERVIEW: \(promised)"), "\(name) --help begins with its abstract: \(overview)")
        }
    }

    @Test func malformedFileExitsTwoNamingItsPath() throws {
        let directory = try TestSupport.temporaryDirectory("cli")
        let file = directory.appendingPathComponent("typo.json")
        try #"{"name": "t", "shapes": [{"name": "s", "fields": [{"name": "x", "type": "in64"}]}], "nodes": [10]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        for subcommand in ["validate", "run"] {
            let result = try TestSupport.run("layoutlab", [subcommand, file.path, "--out", directory.appendingPathComponent("r").path].prefix(subcommand == "run" ? 4 : 2).map { $0 })
            #expect(result.status == 2)
            #expect(result.stderr.contains("\(file.path): $.shapes[0].fields[0].type: expected one of"))
            #expect(result.stderr.contains("did you mean \"int64\"?"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r").path), "nothing may run")
    }

    @Test func aFolderThatHoldsARunIsNotOverwritten() throws {
        let directory = try TestSupport.temporaryDirectory("cli-twice")
        let file = directory.appendingPathComponent("twice.json")
        try #"{"name": "twice", "layouts": ["struct-array"], "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}], "nodes": [1000], "checkpoints": 2}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r").path
        let first = try TestSupport.run("layoutlab", ["run", file.path, "--out", out])
        #expect(first.status == 0)
        // Not a terminal: progress comes as plain lines (the first trial's at once), without escape codes.
        #expect(first.stderr.hasPrefix("[1/1] twice s.struct-array.1000.system.r1 · "), "\(first.stderr)")
        #expect(!first.stderr.contains("\u{1B}"))
        let quiet = try TestSupport.run("layoutlab", ["run", file.path, "--out", out + "-quiet", "--quiet"])
        #expect(quiet.status == 0 && !quiet.stderr.contains("[1/1]"))
        let again = try TestSupport.run("layoutlab", ["run", file.path, "--out", out])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a complete run; choose another --out"), "a complete run is not offered --resume")
        #expect(!again.stderr.contains("Usage"))
    }

    @Test func validFileValidates() throws {
        let directory = try TestSupport.temporaryDirectory("cli-ok")
        let file = directory.appendingPathComponent("ok.json")
        try #"{"name": "t", "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}], "nodes": [10, 20]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try TestSupport.run("layoutlab", ["validate", file.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("10 trials"))
    }
}
