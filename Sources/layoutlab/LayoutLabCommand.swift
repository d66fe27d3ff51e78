import ArgumentParser
import Foundation
import LayoutLabResults

@main
struct LayoutLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layoutlab",
        abstract: "Measure what a node costs in memory and time under different layouts and allocators.",
        discussion: """
            Experiments are JSON files (see experiments/ and README.md). Each trial runs in a fresh worker \
            process; results go to results/<experiment>/<UTC time>/ as trials.csv, samples.csv, per-node.csv \
            and environment.json.
            """,
        version: EnvironmentProbe.labVersion,
        subcommands: [Run.self, Validate.self, Compare.self, Plot.self, Report.self, Calibrate.self, Merge.self, Slurm.self])
}

/// Exit code for input that fails validation.
let invalidInputExitCode: Int32 = 2

/// Stops a command that cannot go on (not a usage mistake): the message on stderr, no usage text, and
/// `code` as exit status (2 for bad input, 1 otherwise). Flushes stdout first.
func stop(_ message: String, code: Int32 = 1) -> ExitCode {
    // Whatever went to stdout comes first, also when both streams go to one pipe or log (nil: every stream).
    fflush(nil)
    FileHandle.standardError.write(Data("layoutlab: \(message)\n".utf8))
    return ExitCode(code)
}
