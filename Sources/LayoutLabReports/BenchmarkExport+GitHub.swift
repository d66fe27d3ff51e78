import Foundation
import LayoutLabModel

/// github-action-benchmark's custom tools (benchmark-action/github-action-benchmark, `tool: customSmallerIsBetter`
/// or `customBiggerIsBetter`): a JSON array of `{"name", "unit", "value", "range", "extra"}`; `name`, `unit` and a
/// numeric `value` are required, `range` is a string (here `± h`, the larger distance from the value to an end of
/// its 95 % interval) and `extra` free text shown in the tooltip. One file serves one tool, so it cannot mix
/// directions: lower-is-better figures (nearly all the lab measures) go to the file named, higher-is-better ones
/// (`free-all.rss_returned_bytes`) to `<name>-bigger-is-better.json` beside it, and figures without a direction
/// are left out (the action would call one of their changes a regression). Names are unique in a file:
/// `<configuration> <metric>`.
extension BenchmarkExport {
    /// The array for one direction, as JSON.
    package static func gitHub(_ entries: [BenchmarkExportEntry]) throws -> Data {
        var names = Set<String>()
        var items: [[String: Any]] = []
        for entry in entries {
            let name = "\(entry.name) \(entry.metric)"
            guard names.insert(name).inserted else { continue }
            var item: [String: Any] = ["name": name, "unit": entry.unit, "value": entry.value, "extra": entry.extra]
            if let low = entry.low, let high = entry.high {
                item["range"] = "± " + String(format: "%.4g", max(high - entry.value, entry.value - low))
            }
            items.append(item)
        }
        return try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
    }

    /// `results.json` → `results-bigger-is-better.json`.
    package static func biggerIsBetterURL(_ url: URL) -> URL {
        let stem = url.deletingPathExtension().lastPathComponent
        let ext = url.pathExtension.isEmpty ? "json" : url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)-bigger-is-better.\(ext)")
    }

    static func writeGitHub(_ entries: [BenchmarkExportEntry], to url: URL) throws -> (files: [URL], notes: [String]) {
        let smaller = entries.filter { $0.direction == .lowerIsBetter }
        let bigger = entries.filter { $0.direction == .higherIsBetter }
        let undirected = Set(entries.filter { $0.direction == .undirected }.map(\.metric)).sorted()
        try AtomicFile.write(try gitHub(smaller), to: url)
        var files = [url]
        var notes: [String] = ["\(url.path): \(smaller.count) lower-is-better figures (tool: customSmallerIsBetter)"]
        if !bigger.isEmpty {
            let other = biggerIsBetterURL(url)
            try AtomicFile.write(try gitHub(bigger), to: other)
            files.append(other)
            notes.append("\(other.path): \(bigger.count) higher-is-better figures (tool: customBiggerIsBetter)")
        }
        if !undirected.isEmpty {
            notes.append("left out (no direction, so no tool can judge them): \(undirected.joined(separator: ", "))")
        }
        return (files, notes)
    }
}
