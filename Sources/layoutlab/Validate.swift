import ArgumentParser
import Foundation
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabRunner

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check experiment files without running anything, and whether their trials fit in this machine's memory.",
        discussion: """
            Every problem is reported as FILE: $.json.path: what was expected. Then the memory preflight that \
            `run` applies: each trial's estimated peak against MemAvailable now, on this machine. Exit code 2 \
            when any file is invalid or a trial would not fit (`run` refuses those unless --skip-oversized).
            """ + CommandExamples.validate)

    @Argument(help: "Experiment files (JSON).", completion: .file(extensions: ["json"]))
    var files: [String]

    @Flag(help: "Check the files only; skip the memory preflight (the output says it was not done).")
    var noMemoryCheck = false

    func run() throws {
        let experiments = try loadExperiments(files)
        for experiment in experiments {
            let trials = TrialPlan.trials(for: experiment).count
            let extra = TrialPlan.possibleTrials(for: experiment).count
            let precision = extra > trials ? ", up to \(extra) with the precision target" : ""
            print("\(experiment.sourcePath): ok (\(experiment.name): \(trials) trials\(precision))")
        }
        guard !noMemoryCheck else {
            print("memory: not checked (--no-memory-check); `run` checks it before the first trial")
            return
        }
        guard let available = MemoryPreflight.availableBytes() else {
            print("memory: not checked (no MemAvailable in /proc/meminfo); `run` cannot check it either")
            return
        }
        var refused = false
        for experiment in experiments {
            let oversized = MemoryPreflight.oversizedTrials(TrialPlan.trials(for: experiment), of: experiment, availableBytes: available)
            if oversized.isEmpty {
                let largest = MemoryPreflight.largestEstimateBytes(of: experiment)
                print("\(experiment.sourcePath): memory ok (largest estimated peak \(largest >> 20) MiB, MemAvailable \(available >> 20) MiB)")
            } else {
                refused = true
                let lines = oversized.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
                FileHandle.standardError.write(Data("""
                    \(experiment.sourcePath): \(oversized.count) trial(s) cannot fit in memory on this machine:
                    \(lines)
                    `run` refuses them: reduce `nodes`, free memory, or run with --skip-oversized to record them as skipped

                    """.utf8))
            }
        }
        if refused { throw ExitCode(LabExitStatus.badInput.rawValue) }
    }
}

/// Loads and validates experiment files, checking what they ask of this machine (libraries, interpreter):
/// for the commands that run them. Every problem is in the error (exit 2).
func loadExperiments(_ files: [String]) throws(ExperimentValidationError) -> [Experiment] {
    try ExperimentLoader.checkingThisHost.load(paths: files)
}
