/// Which way a compared metric is better. Every cost the lab measures is lower-is-better: bytes
/// (`*_bytes`, `*_bytes_per_node`), times (`*_ns`, `*_ns_per_node`), counts per node (`*_instructions_per_node`,
/// `*_faults_per_node`) and shares (`*_share`), except what a phase gives back (`free-all.rss_returned_bytes`),
/// which is higher-is-better. Other columns (`sample_count`, `probe_nodes`, ...) have no
/// direction: they are compared, but never called better or worse, and `--fail-above` does not test them.
public enum MetricDirection: String, Sendable, CaseIterable {
    case lowerIsBetter = "lower is better"
    case higherIsBetter = "higher is better"
    case undirected = "no direction"

    /// The direction of a `trials.csv` column (or a phase metric such as `traverse.ns_per_node`), by its unit.
    public init(metric: String) {
        let costSuffixes = ["_per_node", "_ns", "_bytes", "_share"]
        let name = metric.split(separator: ".").last.map(String.init) ?? metric
        if name.contains("returned") {
            self = .higherIsBetter
        } else {
            self = costSuffixes.contains { name.hasSuffix($0) } || name == "ns_per_node" ? .lowerIsBetter : .undirected
        }
    }

    /// "worse", "better", or the neutral "higher"/"lower" for B against A, when B is `higher`.
    public func word(bHigher: Bool) -> String {
        switch self {
        case .lowerIsBetter: bHigher ? "worse" : "better"
        case .higherIsBetter: bHigher ? "better" : "worse"
        case .undirected: bHigher ? "higher" : "lower"
        }
    }
}
