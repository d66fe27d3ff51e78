import LayoutLabResults

/// Whether the trials of two results folders that carry the same names (shape, layout, nodes, allocator) are
/// the same trials, before `compare A B` divides one by the other. Three kinds of facts:
/// - what a trial is, which must always match: the shape's fields (names and types) and payload layout, and
///   the experiment's measurement settings (phases and their parameters, seed, checkpoints, sampling, probe
///   nodes, and any other key of `experiment.json` that is not known to leave the figures alone);
/// - the candidate subjects of a comparison, of which one may differ (`Subject`): the allocator (library
///   sha256, else its real path, and its environment) or the toolchain (Swift version, the generated code's
///   flags, the Python interpreter);
/// - context, reported but never refused: the machine and the lab's commit.
public struct TrialMatch: Sendable {
    /// What the comparison is about: the one kind of identity allowed to differ between A and B.
    public enum Subject: String, Sendable, CaseIterable {
        /// Allocator builds or settings (the default): each allocator's library and environment may differ.
        case allocator
        /// Compiler or interpreter versions: Swift version, generated-code flags and Python may differ.
        case toolchain
        /// Nothing may differ (an A/A check of one build).
        case none
    }

    /// One fact that differs: what it is about, and its value on each side.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public var about: String
        public var inA: String
        public var inB: String
        public var description: String { "\(about): \(inA) in A, \(inB) in B" }
    }

    /// Differences that make the trials different things: compare refuses them unless told otherwise.
    public var mismatches: [Difference] = []
    /// Differences in the comparison's subject: the point of the comparison, printed as such.
    public var subjectDifferences: [Difference] = []
    /// Differences in the context (machine, lab commit): printed.
    public var context: [Difference] = []

    public init(a: RunIdentity, tableA: TrialTable, b: RunIdentity, tableB: TrialTable, subject: Subject) {
        // Only what both folders have is compared: configurations on one side only are not put side by side.
        struct Key: Hashable { var shape: String, layout: String, nodes: Int, python: String?, allocator: String }
        let keyedByPython = tableA.header.contains("python_version") && tableB.header.contains("python_version")
        func key(_ row: TrialTable.Row) -> Key {
            Key(shape: row.shape, layout: row.layout, nodes: row.nodes, python: keyedByPython ? row.python : nil, allocator: row.allocator)
        }
        let keysB = Set(tableB.rows.map(key))
        let shared = tableA.rows.filter { keysB.contains(key($0)) }
        var shapes: [String] = [], allocators: [String] = []
        for row in shared {
            if !shapes.contains(row.shape) { shapes.append(row.shape) }
            if !allocators.contains(row.allocator) { allocators.append(row.allocator) }
        }

        for shape in shapes {
            let rowA = tableA.rows.first { $0.shape == shape }, rowB = tableB.rows.first { $0.shape == shape }
            for (column, label) in [("fields", "fields"), ("payload_size_bytes", "payload size bytes"),
                                    ("payload_stride_bytes", "payload stride bytes"), ("payload_alignment_bytes", "payload alignment bytes")] {
                let inA = rowA?.cells[column] ?? "", inB = rowB?.cells[column] ?? ""
                if inA != inB {
                    mismatches.append(Difference(about: "shape \(shape): \(label)", inA: inA.replacingSemicolons, inB: inB.replacingSemicolons))
                }
            }
        }

        for (side, identity) in [("A", a), ("B", b)] where identity.experiment == nil {
            mismatches.append(Difference(
                about: "experiment.json", inA: side == "A" ? "unreadable (\(identity.experimentProblem ?? "?"))" : "read",
                inB: side == "B" ? "unreadable (\(identity.experimentProblem ?? "?"))" : "read"))
        }
        if a.experiment != nil, b.experiment != nil {
            let settingsA = Dictionary(a.measurementSettings, uniquingKeysWith: { first, _ in first })
            let settingsB = Dictionary(b.measurementSettings, uniquingKeysWith: { first, _ in first })
            for name in (a.measurementSettings + b.measurementSettings).map(\.name).uniqued() where settingsA[name] != settingsB[name] {
                mismatches.append(Difference(about: name, inA: settingsA[name] ?? "not used", inB: settingsB[name] ?? "not used"))
            }
        }
        let otherKeys = Set(a.document.keys).union(b.document.keys).subtracting(RunIdentity.keysNotCompared).sorted()
        for name in otherKeys where a.document[name] != b.document[name] {
            mismatches.append(Difference(about: name, inA: RunIdentity.text(a.document[name]), inB: RunIdentity.text(b.document[name])))
        }

        // Identity of the allocators and the toolchain, from environment.json.
        var allocatorDifferences: [Difference] = [], toolchainDifferences: [Difference] = []
        if let environmentA = a.environment, let environmentB = b.environment {
            for name in allocators {
                let inA = environmentA.allocators.first { $0.name == name }, inB = environmentB.allocators.first { $0.name == name }
                let libraryA = inA.map { $0.sha256.map { "sha256 \($0.prefix(12))… (\(inA?.libraryRealPath ?? ""))" } ?? $0.libraryRealPath } ?? "not recorded"
                let libraryB = inB.map { $0.sha256.map { "sha256 \($0.prefix(12))… (\(inB?.libraryRealPath ?? ""))" } ?? $0.libraryRealPath } ?? "not recorded"
                if (inA?.sha256 ?? inA?.libraryRealPath) != (inB?.sha256 ?? inB?.libraryRealPath) {
                    allocatorDifferences.append(Difference(about: "allocator \(name): library", inA: libraryA, inB: libraryB))
                }
                let environmentTextA = inA.map { Self.text($0.environment) } ?? "not recorded"
                let environmentTextB = inB.map { Self.text($0.environment) } ?? "not recorded"
                if environmentTextA != environmentTextB {
                    allocatorDifferences.append(Difference(about: "allocator \(name): environment", inA: environmentTextA, inB: environmentTextB))
                }
            }
            let toolchainA = environmentA.toolchain, toolchainB = environmentB.toolchain
            let swiftA = toolchainA.swiftVersion?.split(separator: "\n").first.map(String.init) ?? "unknown"
            let swiftB = toolchainB.swiftVersion?.split(separator: "\n").first.map(String.init) ?? "unknown"
            if swiftA != swiftB { toolchainDifferences.append(Difference(about: "Swift", inA: swiftA, inB: swiftB)) }
            if toolchainA.generatedCodeFlags != toolchainB.generatedCodeFlags {
                toolchainDifferences.append(Difference(
                    about: "generated code flags", inA: toolchainA.generatedCodeFlags.joined(separator: " "),
                    inB: toolchainB.generatedCodeFlags.joined(separator: " ")))
            }
            func pythons(_ environment: EnvironmentRecord) -> String {
                let listed = environment.recordedPythons.map { "\($0.version) (\($0.path))" }
                return listed.isEmpty ? "none" : listed.joined(separator: ", ")
            }
            let pythonA = pythons(environmentA), pythonB = pythons(environmentB)
            if pythonA != pythonB, shared.contains(where: { $0.layout.hasPrefix("python") }) {
                toolchainDifferences.append(Difference(about: "Python", inA: pythonA, inB: pythonB))
            }
            let machineA = "\(environmentA.machine.hostname) (\(environmentA.machine.cpuModel ?? "CPU unknown"), \(environmentA.machine.kernel))"
            let machineB = "\(environmentB.machine.hostname) (\(environmentB.machine.cpuModel ?? "CPU unknown"), \(environmentB.machine.kernel))"
            if machineA != machineB { context.append(Difference(about: "machine", inA: machineA, inB: machineB)) }
            let labA = environmentA.lab.gitCommit.map { String($0.prefix(12)) } ?? "unknown"
            let labB = environmentB.lab.gitCommit.map { String($0.prefix(12)) } ?? "unknown"
            if labA != labB { context.append(Difference(about: "lab commit", inA: labA, inB: labB)) }
        } else {
            mismatches.append(Difference(
                about: "environment.json (allocator and toolchain identity)", inA: a.environment == nil ? "missing" : "present",
                inB: b.environment == nil ? "missing" : "present"))
        }
        switch subject {
        case .allocator:
            subjectDifferences = allocatorDifferences
            mismatches += toolchainDifferences
        case .toolchain:
            subjectDifferences = toolchainDifferences
            mismatches += allocatorDifferences
        case .none:
            mismatches += allocatorDifferences + toolchainDifferences
        }
    }

    static func text(_ environment: [String: String]) -> String {
        environment.isEmpty ? "none" : environment.keys.sorted().map { "\($0)=\(environment[$0] ?? "")" }.joined(separator: " ")
    }
}

extension String {
    /// `x:int64,y:int64`: a `fields` cell as messages print it.
    fileprivate var replacingSemicolons: String { split(separator: ";", omittingEmptySubsequences: false).joined(separator: ",") }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
