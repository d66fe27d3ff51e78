import LayoutLabProtocol
import LayoutLabSampling

/// A line of `layoutlab-baseline`: `repetition 1: 49.5 ns/node, 0.0103 minor faults/node (… points)`.
struct BaselineLine: Sendable, Equatable {
    var nsPerNode: Double
    var minorFaultsPerNode: Double?

    init?(parsing line: Substring) {
        let words = line.split(separator: " ")
        guard words.first == "repetition", let ns = words.firstIndex(of: "ns/node,") ?? words.firstIndex(of: "ns/node"), ns > 0,
            let value = Double(words[ns - 1])
        else { return nil }
        nsPerNode = value
        if let faults = words.firstIndex(of: "minor"), faults > 0 { minorFaultsPerNode = Double(words[faults - 1]) }
    }

    init(nsPerNode: Double, minorFaultsPerNode: Double?) {
        self.nsPerNode = nsPerNode
        self.minorFaultsPerNode = minorFaultsPerNode
    }
}

/// The allocate time per node a worker reported for one trial: the `elapsed_ns` of its last allocate sample
/// (sampling excluded) ÷ the nodes it built; nil when the worker printed no allocate sample.
enum WorkerAllocateTime {
    static func nsPerNode(workerOutput text: String) -> Double? {
        var last: MemorySample?
        for line in text.split(separator: "\n") {
            if case .sample(let phase, let sample)? = try? WorkerReply(line: String(line)), phase == 0 { last = sample }
        }
        guard let last, last.nodesAlive > 0 else { return nil }
        return Double(last.elapsedNs) / Double(last.nodesAlive)
    }
}
