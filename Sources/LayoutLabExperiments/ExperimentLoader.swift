import Foundation
import LayoutLabModel

/// Reads experiment files and checks them completely, collecting every problem with its JSON path,
/// before anything runs. By itself it reads only the files (their JSON and its own consistency), as the
/// commands that read a results folder need: a folder measured on another machine opens whether or not its
/// allocator libraries or Python interpreter exist here. Given a `HostChecking` (`checkingThisHost`, in the
/// runner's layer) it also checks what the files ask of this machine, as the commands that run them need.
public struct ExperimentLoader: Sendable {
    /// Larger files are refused before parsing, so that a stray file cannot cost unbounded time or memory.
    public static let maximumFileBytes = 1 << 20
    /// The largest node count a trial may ask for (2^40), far beyond any machine's memory.
    public static let maximumNodes = 1 << 40

    /// The checks against this machine; nil reads the files alone.
    package var host: (any HostChecking)?

    /// Reads the files alone.
    public init() { host = nil }

    package init(host: (any HostChecking)?) { self.host = host }

    /// Loads and validates several files; also refuses two files with the same experiment name.
    public func load(paths: [String]) throws(ExperimentValidationError) -> [Experiment] {
        var experiments: [Experiment] = []
        var problems: [ExperimentProblem] = []
        var firstFileByName: [String: String] = [:]
        for path in paths {
            do throws(ExperimentValidationError) {
                let experiment = try load(path: path)
                if let earlier = firstFileByName[experiment.name] {
                    problems.append(ExperimentProblem(
                        file: path, jsonPath: "$.name",
                        message: "experiment name \"\(experiment.name)\" is already used by \(earlier)"))
                } else {
                    firstFileByName[experiment.name] = path
                    experiments.append(experiment)
                }
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw ExperimentValidationError(problems: problems) }
        return experiments
    }

    /// Loads and validates one file; its relative paths (`"traces"` files) are read beside `relativeTo` (a results
    /// folder's copy of an experiment names the file it was copied from), or beside `path` itself.
    public func load(path: String, relativeTo: String? = nil) throws(ExperimentValidationError) -> Experiment {
        // Refuse a huge file by its size, before reading it into memory.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > Self.maximumFileBytes {
            throw ExperimentValidationError(problems: [ExperimentProblem(
                file: path, jsonPath: "$", message: "expected an experiment file of at most \(Self.maximumFileBytes) bytes, got \(size)")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentValidationError(problems: [
                ExperimentProblem(file: path, jsonPath: "$", message: "cannot read the file (missing or unreadable)")
            ])
        }
        return try load(data: data, path: path, relativeTo: relativeTo)
    }

    /// Validates the bytes of an experiment file; `path` names it in messages.
    public func load(data: Data, path: String, relativeTo: String? = nil) throws(ExperimentValidationError) -> Experiment {
        func fail(_ message: String) -> ExperimentValidationError {
            ExperimentValidationError(problems: [ExperimentProblem(file: path, jsonPath: "$", message: message)])
        }
        guard data.count <= Self.maximumFileBytes else {
            throw fail("expected an experiment file of at most \(Self.maximumFileBytes) bytes, got \(data.count)")
        }
        guard String(data: data, encoding: .utf8) != nil else { throw fail("expected UTF-8 text, got invalid UTF-8") }
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw fail("expected JSON, got text that does not parse: \(Self.parseFailure(data))")
        }
        let strictness = StrictJSONScanner.findings(in: [UInt8](data)).map { finding in
            switch finding.kind {
            case .duplicateKey(let key, let firstLine):
                ExperimentProblem(
                    file: path, jsonPath: finding.jsonPath,
                    message: "expected each key once in an object, got \"\(key)\" again on line \(finding.line) (first on line \(firstLine)); JSON keeps only one of them")
            case .trailingComma:
                ExperimentProblem(
                    file: path, jsonPath: finding.jsonPath,
                    message: "expected a value after the last comma, got the end of the list or object on line \(finding.line) (JSON has no trailing commas)")
            }
        }
        var validator = ExperimentValidator(file: path, relativeBase: relativeTo)
        let parsed = validator.experiment(from: document)
        let onThisHost = host?.check(validator.requirements, file: path) ?? HostFindings()
        guard var experiment = parsed, validator.problems.isEmpty, strictness.isEmpty, onThisHost.problems.isEmpty else {
            throw ExperimentValidationError(problems: strictness + validator.problems + onThisHost.problems)
        }
        experiment.pythons = onThisHost.pythons
        for (index, found) in onThisHost.traces where experiment.traces?.indices.contains(index) == true {
            experiment.traces?[index].events = found.events
            experiment.traces?[index].sha256 = found.sha256
        }
        return experiment
    }

    /// Foundation's description of a syntax error, with its character offset turned into line and column.
    static func parseFailure(_ data: Data) -> String {
        let description: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "nesting too deep or a value out of range"
        } catch {
            description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        }
        guard let range = description.range(of: #"around (line \d+, column \d+|character \d+)"#, options: .regularExpression),
            let offset = Int(description[range].split(separator: " ").last ?? ""), description[range].contains("character")
        else { return description }
        let prefix = data.prefix(offset)
        let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = prefix.count - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        return description.replacingCharacters(in: range, with: "at line \(line), column \(column)")
    }
}
