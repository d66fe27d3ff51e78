import LayoutLabHost
import LayoutLabModel

/// `layoutlab calibrate` could not take one of its measurements: which, and where to look.
package enum CalibrationError: LabError, Equatable {
    /// A calibration run had failed trials or stopped; `folder` holds what it measured.
    case runNotClean(name: String, folder: String)
    case jemallocUnusable(LibraryProblem)
    case samplerBenchmarkFailed
    /// The baseline executable did not run.
    case baselineDidNotRun(path: String)
    case harnessTrialFailed
    case workerDidNotStart

    package var exitStatus: LabExitStatus { .failure }

    package var message: String {
        switch self {
        case .runNotClean(let name, let folder): "calibration run \(name) did not complete cleanly; see \(folder)"
        case .jemallocUnusable(let problem): "calibrate needs jemalloc: libjemalloc.so.2 is \(problem.explanation)"
        case .samplerBenchmarkFailed: "the worker's sampler benchmark failed"
        case .baselineDidNotRun(let path): "\(path) did not run; build it with `swift build -c release`"
        case .harnessTrialFailed: "the worker did not run the harness trial"
        case .workerDidNotStart: "the worker did not start"
        }
    }
}
