import LayoutLabModel

extension ExperimentValidator {
    /// `"python"`: one interpreter (a string) or a non-empty list of them, each a path, a command on `PATH` or a
    /// pyenv version name (`"3.12"`); resolved and checked for duplicates on the host (`ExperimentHostCheck`).
    mutating func pythonEntries(_ value: JSONValue) -> [HostRequirement.PlacedInterpreter] {
        func entry(_ value: JSONValue, at path: String) -> HostRequirement.PlacedInterpreter? {
            guard case .string(let text) = value else {
                report(path, "expected an interpreter (a path, a command on PATH such as \"python3.12\", or a pyenv version such as \"3.12\"), got \(value.summary)")
                return nil
            }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                report(path, "expected an interpreter (a path, a command on PATH such as \"python3.12\", or a pyenv version such as \"3.12\"), got an empty string")
                return nil
            }
            return HostRequirement.PlacedInterpreter(request: text, jsonPath: path)
        }
        if case .array(let elements) = value {
            if elements.isEmpty {
                report("$.python", "expected at least one interpreter, for example [\"3.8\", \"3.12\"], got []")
            }
            let placed = elements.enumerated().compactMap { entry($1, at: "$.python[\($0)]") }
            duplicates(placed.map { ($0.request, $0.jsonPath) }, what: "interpreter")
            return placed
        }
        return entry(value, at: "$.python").map { [$0] } ?? []
    }
}
