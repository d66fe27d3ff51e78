import ArgumentParser
import Foundation
import LayoutLab

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check experiment files without running anything.",
        discussion: "Every problem is reported as FILE: $.json.path: what was expected. Exit code 2 when any file is invalid.")

    @Argument(help: "Experiment files (JSON).")
    var files: [String]

    func run() throws {
        let experiments = try loadExperiments(files)
        for experiment in experiments {
            let trials = TrialPlan.trials(for: experiment).count
            let extra = TrialPlan.possibleTrials(for: experiment).count
            let precision = extra > trials ? ", up to \(extra) with the precision target" : ""
            print("\(experiment.sourcePath): ok (\(experiment.name): \(trials) trials\(precision))")
        }
    }
}

/// Loads and validates experiment files, printing every problem and exiting 2 when there is one.
func loadExperiments(_ files: [String]) throws -> [Experiment] {
    do throws(ExperimentValidationError) {
        return try ExperimentLoader().load(paths: files)
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(invalidInputExitCode)
    }
}
