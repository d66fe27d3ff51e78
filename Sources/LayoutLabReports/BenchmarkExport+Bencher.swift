import Foundation

/// Bencher Metric Format (BMF, bencher.dev/docs/reference/bencher-metric-format): a JSON object
/// `{"<benchmark>": {"<measure>": {"value", "lower_value", "upper_value"}}}`, `value` required and the bounds
/// optional numbers. The benchmark is the configuration (`shape/layout/nodes/allocator`, at most 1024
/// characters); the measure the metric as a slug (`usable-bytes-per-node`, lower case and hyphens, at most 64
/// characters); the bounds the 95 % interval. Bencher's thresholds set the direction, so every figure is written.
extension BenchmarkExport {
    package static func bencher(_ entries: [BenchmarkExportEntry]) throws -> Data {
        var object: [String: [String: [String: Double]]] = [:]
        for entry in entries {
            let slug = measureSlug(entry.metric)
            guard object[entry.name]?[slug] == nil else { continue }
            var metric = ["value": entry.value]
            if let low = entry.low, let high = entry.high {
                metric["lower_value"] = low
                metric["upper_value"] = high
            }
            object[String(entry.name.prefix(1024)), default: [:]][slug] = metric
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
    }

    /// `traverse-rnd.ns_per_node` → `traverse-rnd-ns-per-node` (at most 64 characters).
    package static func measureSlug(_ metric: String) -> String {
        let mapped = metric.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        var slug = ""
        for character in mapped where !(character == "-" && slug.hasSuffix("-")) { slug.append(character) }
        return String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(64))
    }
}
