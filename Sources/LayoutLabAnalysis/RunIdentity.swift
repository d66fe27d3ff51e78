import Foundation
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabResults

/// What a results folder measured, beyond the names its trials carry: its experiment (read from the folder's
/// own `experiment.json`, whether or not its allocator libraries exist on this machine), the top-level keys
/// of that file as written, and its `environment.json` (allocator libraries, toolchain, machine, lab).
/// `TrialMatch` compares two of them before `compare` puts their trials side by side.
public struct RunIdentity: Sendable {
    public var directory: URL
    public var experiment: Experiment?
    /// Why `experiment` is nil.
    public var experimentProblem: String?
    public var document: [String: JSONValue]
    public var environment: EnvironmentRecord?

    public init(directory: URL) {
        self.directory = directory
        let file = directory.appendingPathComponent(ResultsFolder.experimentFile).path
        do {
            experiment = try ExperimentLoader().load(path: file)
        } catch {
            experimentProblem = error.problems.first.map { "\($0.jsonPath): \($0.message)" } ?? "cannot be read"
        }
        let data = FileManager.default.contents(atPath: file)
        if case .object(let keys)? = data.flatMap({ try? JSONDecoder().decode(JSONValue.self, from: $0) }) {
            document = keys
        } else {
            document = [:]
        }
        environment = EnvironmentReader(directory: directory).record
    }

    /// Settings of the whole experiment that change what its trials measure, by name, rendered: the workload
    /// (phases with their parameters, and the seed when a phase uses the random permutation) and how it is
    /// sampled (checkpoints, `smaps_rollup` and allocator-statistics schedules, probe nodes), the generated
    /// code's exclusivity checks, and where instruction counts come from. Each is the value the run used, its
    /// default filled in: a key left out in A and the same value spelled out in B are the same setting.
    public var measurementSettings: [(name: String, value: String)] {
        guard let experiment else { return [] }
        var settings: [(String, String)] = [
            ("phases", experiment.phases.map(\.description).joined(separator: ", ")),
            ("checkpoints", String(experiment.checkpoints)),
            ("sampling.smaps_rollup", experiment.smaps.rawValue),
            ("sampling.allocator", experiment.allocatorSchedule?.rawValue ?? "default (every checkpoint; mallinfo2 at boundaries)"),
            ("probe_nodes", String(experiment.probeNodes)),
            ("exclusivity", experiment.exclusivity.rawValue),
            ("instructions", experiment.instructions.rawValue),
        ]
        if experiment.phases.contains(where: \.needsPermutation) { settings.append(("seed", String(experiment.seed))) }
        return settings
    }

    /// Top-level keys of `experiment.json` that neither change what a trial measures nor are compared trial by
    /// trial or through `measurementSettings`; every other key (one this version of compare does not know
    /// yet included) must be equal on both sides.
    static let keysNotCompared: Set<String> = [
        "$schema", "name", "description", "repetitions", "trial_timeout_seconds", "precision", "rerun_disturbed",
        // Compared trial by trial (shape fields, layout, nodes, allocator identity) or as the toolchain (python).
        "layouts", "shapes", "nodes", "allocators", "python",
        // Compared as `measurementSettings`, with their defaults resolved.
        "checkpoints", "sampling", "probe_nodes", "phases", "seed", "exclusivity", "instructions",
    ]

    /// A JSON value as compact text, for messages.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil: "absent (the default)"
        case .object(let entries)?: "{" + entries.keys.sorted().map { "\"\($0)\": \(text(entries[$0]))" }.joined(separator: ", ") + "}"
        case .array(let items)?: "[" + items.map { text($0) }.joined(separator: ", ") + "]"
        case .string(let string)?: "\"\(string)\""
        case .some(let other): other.summary
        }
    }
}
