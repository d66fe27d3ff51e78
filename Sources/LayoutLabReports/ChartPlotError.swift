import LayoutLabModel

/// Why the charts of a results folder could not be drawn: gnuplot or its script, and what to do.
package enum ChartPlotError: LabError, Equatable {
    case gnuplotNotInstalled
    /// No `plot.gnuplot` in this lab's source tree, and no `--script`.
    case noDefaultScript
    case noScript(path: String)
    case cannotStart(gnuplot: String)
    /// gnuplot ran and failed; `output` is what it printed.
    case gnuplotFailed(script: String, output: String)

    package var exitStatus: LabExitStatus { .failure }

    package var message: String {
        switch self {
        case .gnuplotNotInstalled: "gnuplot is not installed: apt-get install gnuplot-nox (make run installs it)"
        case .noDefaultScript: "cannot find plot.gnuplot; pass --script"
        case .noScript(let path): "no gnuplot script at \(path)"
        case .cannotStart(let gnuplot): "cannot start \(gnuplot)"
        case .gnuplotFailed(let script, let output): "gnuplot failed on \(script):\n\(output)"
        }
    }
}
