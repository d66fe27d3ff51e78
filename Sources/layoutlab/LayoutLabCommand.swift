import ArgumentParser
import LayoutLabModel
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
        version: versionRequest,
        subcommands: [Run.self, Validate.self, Compare.self, Trend.self, Plot.self, Report.self, Calibrate.self, Merge.self, Slurm.self, Bisect.self, Record.self, TraceInfo.self])

    /// What the parser answers `--version` with; `main` prints the real text in its place, so that git runs
    /// only when the version is asked for, never for a command (`report` on a laptop reads only its folder).
    static let versionRequest = "layoutlab --version"

    /// Parses the command line and runs the command. Every error a command throws is printed here, once:
    /// a `LabError` as `layoutlab: message` (file diagnostics as they are) with its exit status; usage errors,
    /// `--help`, exit codes and any other error as the argument parser prints them.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if fullMessage(for: error) == versionRequest {
                print(EnvironmentProbe.labVersion)
                exit(withError: nil)
            }
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as any LabError {
            fail(error)
        } catch {
            // `--help` (the parser's help command throws from `run`), exit codes, and errors no step classified.
            exit(withError: error)
        }
    }

    /// The error on stderr, after everything already on stdout, and its exit status.
    static func fail(_ error: any LabError) -> Never {
        // Whatever went to stdout comes first, also when both streams go to one pipe or log (nil: every stream).
        fflush(nil)
        let text = error.isFileDiagnostic ? error.message : "layoutlab: \(error.message)"
        FileHandle.standardError.write(Data((text + "\n").utf8))
        exit(withError: ExitCode(error.exitStatus.rawValue))
    }
}
