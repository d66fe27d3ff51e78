import Foundation
import LayoutLabModel
import LayoutLabProtocol

extension ExperimentValidator {
    /// Keys that describe node trials and are refused beside `"traces"`: a trace experiment replays recorded calls,
    /// so it has no layouts, shapes, node counts, phases or pool threads (run those as a second experiment).
    static let nodeTrialKeys = ["layouts", "shapes", "nodes", "phases", "threads", "probe_nodes", "python", "python_gc_freeze"]

    /// `"traces": [{"name": "build-dict", "file": "run.trace"}]`: each file (relative to the experiment file's
    /// folder) is read whole with `TraceReader` now, so that a missing, truncated or foreign trace is refused with its
    /// byte offset before any trial runs.
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
            let resolved = Self.resolve(file, besides: self.file)
            let events: Int
            do {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: resolved)))
                do throws(TraceReadError) {
                    let trace = try TraceReader.read(bytes)
                    guard trace.isComplete else {
                        report("\(path).file", "expected a complete allocation trace; trace file \(resolved) numbers \(trace.sequenceNumbers) calls but holds \(trace.events.count) (\(trace.droppedEvents) dropped by the tracer, \(trace.lostEvents) lost): a replay of it would not be the program's; record it again")
                        continue
                    }
                    events = trace.events.count
                } catch {
                    report("\(path).file", "expected an allocation trace written by `layoutlab record`; trace file \(resolved) \(error)")
                    continue
                }
            } catch {
                report("\(path).file", "expected an allocation trace written by `layoutlab record`; cannot read trace file \(resolved) (at offset 0): \((error as NSError).localizedDescription)")
                continue
            }
            if let name { sources.append((TraceSource(name: name, file: file, path: resolved, events: events), path)) }
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
