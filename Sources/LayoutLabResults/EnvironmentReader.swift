import Foundation

/// The few facts of `environment.json` that charts and reports print.
public struct EnvironmentReader {
    public var record: EnvironmentRecord?

    public init(directory: URL) {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        record = FileManager.default.contents(atPath: directory.appendingPathComponent(ResultsFolder.environmentFile).path)
            .flatMap { try? decoder.decode(EnvironmentRecord.self, from: $0) }
    }

    public var allocatorLabels: [String] { record?.allocators.map(\.label) ?? [] }

    /// "AMD EPYC, 2 cores, Linux 6.1.0"; "machine unknown" without environment.json.
    public var machine: String {
        guard let machine = record?.machine else { return "machine unknown" }
        return "\(machine.cpuModel ?? "CPU unknown"), \(machine.onlineCores) cores, \(machine.kernel)"
    }
}
