import LayoutLabModel

/// What checks an experiment's `HostRequirement`s against a machine: `ExperimentHostCheck` (runner layer) on
/// this one. The experiment layer only declares it, so that parsing and validating a file never asks the host.
package protocol HostChecking: Sendable {
    /// The problems `requirements` meet, in the file's order, and what the checks found.
    func check(_ requirements: [HostRequirement], file: String) -> HostFindings
}

/// What a host check found: the problems, in the file's order; the Python interpreters (the file's order); and the
/// facts of each trace file it read, by the trace's index in `"traces"`.
package struct HostFindings: Sendable {
    /// A trace file as read on this host: its event count and sha256 (hex).
    package struct TraceFile: Sendable, Equatable {
        package var events: Int
        package var sha256: String?

        package init(events: Int, sha256: String?) {
            self.events = events
            self.sha256 = sha256
        }
    }

    package var problems: [ExperimentProblem] = []
    package var pythons: [PythonInterpreter] = []
    package var traces: [Int: TraceFile] = [:]

    package init(problems: [ExperimentProblem] = [], pythons: [PythonInterpreter] = [], traces: [Int: TraceFile] = [:]) {
        self.problems = problems
        self.pythons = pythons
        self.traces = traces
    }
}
