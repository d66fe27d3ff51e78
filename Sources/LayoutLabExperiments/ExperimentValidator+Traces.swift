import Foundation
import LayoutLabModel

extension ExperimentValidator {
    /// Keys that describe node trials and are refused beside `"traces"`: a trace experiment replays recorded calls,
    /// so it has no layouts, shapes, node counts, phases or pool threads (run those as a second experiment).
    static let nodeTrialKeys = ["layouts", "shapes", "nodes", "phases", "threads", "probe_nodes", "python", "python_gc_freeze"]

    /// `"traces": [{"name": "build-dict", "file": "run.trace"}]`: each file is resolved against the experiment's
    /// folder (`relativeBase`) and becomes a `HostRequirement.trace`: where the experiment is to run, it is read whole
    /// there, so that a missing, truncated or foreign trace is refused with its byte offset before any trial runs; a
    /// command that only reads a results folder never opens it.
    mutating func traceSources(_ value: JSONValue, top: [String: JSONValue]) -> [TraceSource] {
        for key in Self.nodeTrialKeys where top[key] != nil {
            report("$.\(key)", "expected no \"\(key)\" beside \"traces\": a trace experiment replays recorded calls (trials are traces × allocators × repetitions); put node trials in another experiment")
        }
        let entries = items(value, at: "$.traces")
        if entries.isEmpty, case .array = value {
            report("$.traces", "expected at least one trace, for example [{\"name\": \"build-dict\", \"file\": \"run.trace\"}]")
        }
        var sources: [(TraceSource, String)] = []
        for (entry, path) in entries {
            guard let fields = object(entry, at: path, allowed: ["name", "file"], required: ["name", "file"]) else { continue }
            let name = fields["name"].flatMap { identifier($0, at: "\(path).name", pattern: .fileName) }
            guard let file = fields["file"].flatMap({ string($0, at: "\(path).file") }) else { continue }
            let resolved = Self.resolve(file, besides: relativeBase)
            guard let name else { continue }
            requirements.append(.trace(index: sources.count, path: resolved, jsonPath: "\(path).file"))
            sources.append((TraceSource(name: name, file: file, path: resolved), path))
        }
        duplicates(sources.map { ($0.0.name, $0.1 + ".name") }, what: "trace")
        return sources.map(\.0)
    }

    /// `file` as a path: absolute as written, else relative to the folder of the experiment file `experimentFile`.
    static func resolve(_ file: String, besides experimentFile: String) -> String {
        if file.hasPrefix("/") { return file }
        let folder = URL(fileURLWithPath: experimentFile).deletingLastPathComponent()
        return folder.appendingPathComponent(file).standardizedFileURL.path
    }
}
