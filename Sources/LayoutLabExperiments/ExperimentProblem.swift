import LayoutLabModel

/// One thing wrong with an experiment file: the file, the JSON path of the offending value
/// (`$.shapes[0].fields[2].type`) and what was expected instead.
public struct ExperimentProblem: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var jsonPath: String
    public var message: String

    public init(file: String, jsonPath: String, message: String) {
        self.file = file
        self.jsonPath = jsonPath
        self.message = message
    }

    public var description: String { "\(file): \(jsonPath): \(message)" }
}

/// Every problem found in a set of experiment files; nothing runs while there is one.
public struct ExperimentValidationError: LabError, Equatable {
    public var problems: [ExperimentProblem]
    public var exitStatus: LabExitStatus { .badInput }
    public var isFileDiagnostic: Bool { true }
    public var message: String { description }

    public init(problems: [ExperimentProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
