import LayoutLabModel

/// What checks an experiment's `HostRequirement`s against a machine: `ExperimentHostCheck` (runner layer) on
/// this one. The experiment layer only declares it, so that parsing and validating a file never asks the host.
package protocol HostChecking: Sendable {
    /// The problems `requirements` meet, in the file's order, and the Python interpreters found (the file's order).
    func check(_ requirements: [HostRequirement], file: String) -> (problems: [ExperimentProblem], pythons: [PythonInterpreter])
}
