import ArgumentParser
import Foundation
import LayoutLab

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the lab itself: accuracy, sampler costs, harness overhead, repeatability, linear cost.",
        discussion: """
            Runs calibration experiments (under a minute on 2 cores) into results/calibration/<UTC time>/, \
            prints every figure with its goal and pass or FAIL, writes calibration.csv, and exits 1 when a figure \
            misses its goal, saying which and by how much.
            """ + CommandExamples.calibrate)

    @Option(help: "Where calibration results go (default: results/calibration/<UTC time>).", completion: .directory)
    var out: String?

    @Option(help: "The experiment whose sampling share and worker baseline are measured.", completion: .file(extensions: ["json"]))
    var defaultExperiment: String = "experiments/default.json"

    func run() throws {
        guard let swiftc = LayoutLibraryBuilder.findSwiftc() else { throw stop("no swiftc on PATH") }
        // The default experiment is checked before the first calibration run, not after minutes of them.
        _ = try loadExperiments([defaultExperiment])
        let interruption = RunInterruption()
        interruption.installSignalHandlers()
        var options = RunOptions(swiftc: swiftc, interruption: interruption)
        options.showProgress = false
        let directory = out.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: "results/calibration").appendingPathComponent(SuiteRunner.folderTimestamp())
        let calibrator = Calibrator(
            options: options, directory: directory, defaultExperiment: URL(fileURLWithPath: defaultExperiment),
            log: { FileHandle.standardError.write(Data("calibrate: \($0)\n".utf8)) })
        let figures: [CalibrationFigure]
        do {
            figures = try calibrator.run()
        } catch {
            FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
            throw ExitCode.failure
        }
        for figure in figures {
            let result = figure.passed.map { $0 ? "pass" : "FAIL" } ?? "info"
            print("\(result.padding(toLength: 5, withPad: " ", startingAt: 0)) \(figure.name) (goal: \(figure.goal))")
            print("      \(figure.measured)")
        }
        print("how each figure was measured: \(directory.appendingPathComponent("calibration.csv").path)")
        let failed = figures.filter { $0.passed == false }
        if !failed.isEmpty {
            for figure in failed { FileHandle.standardError.write(Data("missed: \(figure.name): \(figure.shortfall ?? "")\n".utf8)) }
            throw ExitCode.failure
        }
    }
}
