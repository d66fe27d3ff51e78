import Foundation
import Testing

/// What a new user meets at the command line (issue 19, friction): `validate` checks memory as `run` does,
/// `--version`, examples in every subcommand's help, a `slurm` hint that submits the scripts it wrote, and
/// completion of experiment files, folders and `--by` values.
@Suite("Command line for new users")
struct CommandLineFrictionTests {
    static let subcommands = ["run", "validate", "compare", "plot", "report", "calibrate", "merge", "slurm"]

    static func experiment(nodes: Int, label: String) throws -> URL {
        let file = try TestSupport.temporaryDirectory(label).appendingPathComponent("big.json")
        try """
            { "name": "big", "layouts": ["dict-class"], "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [\(nodes)] }
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func validateRunsTheMemoryPreflightOrSaysItDidNot() throws {
        let big = try Self.experiment(nodes: 400_000_000, label: "validate-big")
        let refused = try TestSupport.run("layoutlab", ["validate", big.path])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("cannot fit in memory") && refused.stderr.contains("p.dict-class.400000000.system.r1"), "\(refused.stderr)")
        let filesOnly = try TestSupport.run("layoutlab", ["validate", big.path, "--no-memory-check"])
        #expect(filesOnly.status == 0 && filesOnly.stdout.contains("memory: not checked"), "\(filesOnly.stdout)")
        let small = try Self.experiment(nodes: 1000, label: "validate-small")
        let fits = try TestSupport.run("layoutlab", ["validate", small.path])
        #expect(fits.status == 0 && fits.stdout.contains("memory ok"), "\(fits.stdout)\(fits.stderr)")
    }

    @Test func versionNamesTheLabsCommitAndBuild() throws {
        let result = try TestSupport.run("layoutlab", ["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("layoutlab commit ") && result.stdout.contains(" build"), "\(result.stdout)")
    }

    @Test func everySubcommandsHelpHasExamples() throws {
        for name in Self.subcommands {
            let help = try TestSupport.run("layoutlab", [name, "--help"])
            #expect(help.stdout.contains("Examples:") && help.stdout.contains("  layoutlab \(name) "), "\(name) --help:\n\(help.stdout)")
        }
    }

    @Test func theSlurmHintSubmitsTheScriptsItWrote() throws {
        let out = try TestSupport.temporaryDirectory("slurm-hint").appendingPathComponent("jobs")
        let file = try Self.experiment(nodes: 1000, label: "slurm-hint")
        let result = try TestSupport.run("layoutlab", ["slurm", file.path, "--shards", "2", "--partition", "p1", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let hint = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("submit with: ") })
        #expect(hint == "submit with: layoutlab slurm \(file.path) --shards 2 --partition p1 --out \(out.standardizedFileURL.path) --submit", "\(hint)")
    }

    @Test func completionCompletesFilesFoldersAndByValues() throws {
        let bash = try TestSupport.run("layoutlab", ["--generate-completion-script", "bash"])
        try #require(bash.status == 0, "\(bash.stderr)")
        #expect(bash.stdout.contains("-fX '!*.@(json)'"), "experiment files complete as *.json")
        #expect(bash.stdout.contains("__layoutlab_add_completions -d"), "folders complete as directories")
        #expect(bash.stdout.contains("-W 'allocator'$'\\n''host'"), "compare --by completes its two values")
        let zsh = try TestSupport.run("layoutlab", ["--generate-completion-script", "zsh"])
        #expect(zsh.stdout.contains("_files -g") && zsh.stdout.contains("_files -/") && zsh.stdout.contains("('allocator' 'host')"),
                "zsh: files by pattern, folders and --by values")
    }

    /// A path that is not a results folder is bad input for every reading command: exit 2, as `compare` gives,
    /// with what is wrong with the path.
    @Test func readingCommandsRefuseANonResultsFolderAsBadInput() throws {
        let empty = try TestSupport.temporaryDirectory("not-results")
        let missing = empty.appendingPathComponent("missing").path
        for arguments in [["plot", empty.path], ["report", empty.path, "--no-charts"], ["report", empty.path], ["compare", empty.path, "--by", "allocator"]] {
            let result = try TestSupport.run("layoutlab", arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("not a results folder"), "\(arguments): \(result.stderr)")
        }
        for command in ["plot", "report"] {
            let result = try TestSupport.run("layoutlab", [command, missing])
            #expect(result.status == 2 && result.stderr.contains("does not exist"), "\(command): \(result.status) \(result.stderr)")
        }
    }
}
