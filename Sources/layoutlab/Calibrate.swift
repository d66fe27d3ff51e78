import ArgumentParser
import Foundation
import LayoutLabCalibration
import LayoutLabCodegen
import LayoutLabRunner

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the lab itself: accuracy, sampler costs, harness overhead, repeatability, linear cost.",
        discussion: """
            Runs calibration experiments (about two minutes on 2 cores, valgrind included) into \
            results/calibration/<UTC time>/, prints every figure with its goal and pass, FAIL, info or \
            "not measurable", writes calibration.csv, and exits 1 when a figure misses its goal (on either side \
            of a two-sided one) or cannot be measured, saying which and by how much. The harness overhead is \
            judged on instructions counted by valgrind's callgrind (needed: `make deps` installs it), with \
            wall time reported beside. It holds the lab lock for its whole run, like `run` \
            (see `layoutlab run --help`); exit 75 with --no-wait when another run holds it.
            """ + CommandExamples.calibrate)

    @Option(help: "Where calibration results go (default: results/calibration/<UTC time>).", completion: .directory)
    var out: String?

    @Option(help: "The experiment whose sampling share and worker baseline are measured.", completion: .file(extensions: ["json"]))
    var defaultExperiment: String = "experiments/default.json"

    @Flag(help: "Refuse at once (exit 75) when another run holds the lab lock, instead of waiting for it.")
    var noWait = false

    func run() throws {
        guard let swiftc = LayoutLibraryBuilder.findSwiftc() else { throw HostError.swiftcNotFound(option: nil) }
        // The default experiment is checked before the first calibration run, not after minutes of them.
        _ = try loadExperiments([defaultExperiment])
        let interruption = RunInterruption()
        interruption.installSignalHandlers()
        var options = RunOptions(swiftc: swiftc, interruption: interruption)
        options.showProgress = false
        // Held for the whole calibration: its runs (which take the same lock object) and its timed baselines.
        let lock = LabLock(path: LabLock.defaultPath())
        do {
            try lock.acquire(
                experiments: ["calibration"], wait: !noWait, interruption: interruption,
                say: { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) },
                progress: { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) })
        } catch let busy as LabLockBusy {
            throw busy
        } catch {
            throw CommandFailure(error, exitStatus: .failure)
        }
        options.labLock = lock
        let directory = out.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: "results/calibration").appendingPathComponent(SuiteRunner.folderTimestamp())
        let calibrator = Calibrator(
            options: options, directory: directory, defaultExperiment: URL(fileURLWithPath: defaultExperiment),
            log: { FileHandle.standardError.write(Data("calibrate: \($0)\n".utf8)) })
        let figures = try step(endingWith: .failure) { try calibrator.run() }
        for figure in figures {
            print("\(figure.result.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(figure.name) (goal: \(figure.goal))")
            print("      \(figure.measured)")
        }
        print("how each figure was measured: \(directory.appendingPathComponent("calibration.csv").path)")
        let failed = figures.filter(\.missesGoal)
        if !failed.isEmpty {
            for figure in failed {
                let how = figure.result == .notMeasurable ? "not measurable" : "missed"
                FileHandle.standardError.write(Data("\(how): \(figure.name): \(figure.shortfall ?? "")\n".utf8))
            }
            throw ExitCode.failure
        }
    }
}
