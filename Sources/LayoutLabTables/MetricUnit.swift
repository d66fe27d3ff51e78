/// The unit of a metric the lab compares, from its name's suffix as CSV headers carry it: `bytes/node`,
/// `ns/node`, `bytes`, `ns`; a per-node count names what it counts (`instructions/node`, `minor_faults/node`);
/// nil for a figure without a unit (a ratio, a count of samples).
package enum MetricUnit {
    package static func of(_ metric: String) -> String? {
        let name = metric.split(separator: ".").last.map(String.init) ?? metric
        guard let unit = CSVColumn<Int>.unit(of: name) else { return nil }
        guard unit == "per node" else { return unit }
        let stem = String(name.dropLast("_per_node".count))
        for count in ["instructions", "minor_faults", "major_faults", "faults", "cycles"] where stem == count || stem.hasSuffix("_" + count) {
            return count + "/node"
        }
        return "per node"
    }
}
