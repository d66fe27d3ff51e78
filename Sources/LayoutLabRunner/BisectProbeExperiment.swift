import Foundation
import LayoutLabExperiments
import LayoutLabModel

/// The experiment file one probe of `layoutlab bisect` runs: the user's experiment with its `allocators`
/// replaced by two entries, the known good build and the candidate, each the bisected entry with its library
/// swapped (its `env` and `statistics` kept), named `<entry>-b<index>`. Every other key is the user's. Written
/// as `experiment.json` into the probe's folder, so that folder is an ordinary results folder of the run it
/// holds (`report`, `compare`, `--resume` read it).
enum BisectProbeExperiment {
    /// `je-b1`: an allocator name the experiment format accepts (letters, digits, `.`, `_`, `-`).
    static func allocatorName(_ entry: String, build: Int) -> String { "\(entry)-b\(build)" }

    /// The probe's file text; `document` is the user's experiment file as parsed.
    static func text(of document: JSONValue, entry: AllocatorSpec, good: BisectBuild, candidate: BisectBuild) -> String {
        guard case .object(var top) = document else { return render(document) }
        top["allocators"] = .array([good, candidate].map { allocator(entry, build: $0) })
        return render(.object(top)) + "\n"
    }

    /// The entry with the build's library. An entry without a library is the C library's malloc (its mallinfo2
    /// statistics describe glibc, not a preloaded build), so a build in its place gets the statistics the lab
    /// would guess from the build's file name, as for any custom library.
    static func allocator(_ entry: AllocatorSpec, build: BisectBuild) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(allocatorName(entry.name, build: build.index)),
            "library": .string(build.realPath),
            "statistics": .string((entry.library == nil ? AllocatorSpec.statistics(guessedFrom: build.realPath) : entry.statistics).rawValue),
        ]
        if !entry.environment.isEmpty { fields["env"] = .object(entry.environment.mapValues { .string($0) }) }
        return .object(fields)
    }

    /// JSON text of `value`, keys sorted, two spaces per level.
    static func render(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            let members = fields.keys.sorted().map { "\(inner)\(quoted($0)): \(render(fields[$0] ?? .null, indent: inner))" }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            return "[\n" + elements.map { inner + render($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .string(let text): return quoted(text)
        case .integer(let number): return String(number)
        case .number(let number): return number.isFinite ? "\(number)" : "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
