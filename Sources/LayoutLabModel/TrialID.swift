/// Which trial a row belongs to: its configuration (shape, layout, nodes, allocator) and repetition. The text
/// `shape.layout.nodes.allocator.rN` (`description`) is the `trial_id` of every table and the name of its log
/// files, and is built here only. Shape and allocator names may contain dots, so the text is never split
/// back into parts: a `trial_id` read from a table is looked up in a `TrialIDIndex` of the experiment's trials,
/// and matched by its parts.
public struct TrialID: Hashable, Sendable, CustomStringConvertible {
    /// A trial without its repetition: the repetitions of one configuration are compared with each other.
    public struct Configuration: Hashable, Sendable, CustomStringConvertible {
        public var shape: String
        public var layout: LayoutKind
        public var nodes: Int
        public var allocator: String
        /// Threads the work ran on; nil for the classic one-thread trial (no `.tT` part).
        public var threads: Int?
        /// The interpreter's label (`3.12`) of a Python trial when the experiment lists several; nil: no `.pyV` part.
        public var python: String?
        /// The trace a replay trial replays (`TraceSource.name`); nil for node trials.
        public var trace: String?
        /// The program a program trial runs (`ProgramSource.name`); nil for other trials.
        public var program: String?

        public init(
            shape: String, layout: LayoutKind, nodes: Int, allocator: String, threads: Int? = nil, python: String? = nil, trace: String? = nil,
            program: String? = nil
        ) {
            self.program = program
            self.python = python
            self.trace = trace
            self.shape = shape
            self.layout = layout
            self.nodes = nodes
            self.allocator = allocator
            self.threads = threads
        }

        /// `shape.layout.nodes.allocator`, `.tT` with threads and `.pyV` with several interpreters; `trace.trace.allocator`
        /// for a trace replay, `program.program.allocator` for a program.
        public var description: String {
            if let trace { return "\(trace).trace.\(allocator)" }
            if let program { return "\(program).program.\(allocator)" }
            return "\(shape).\(layout.rawValue).\(nodes).\(allocator)" + (threads.map { ".t\($0)" } ?? "") + (python.map { ".py\($0)" } ?? "")
        }
    }

    public var configuration: Configuration
    /// 1-based.
    public var repetition: Int

    public init(_ configuration: Configuration, repetition: Int) {
        self.configuration = configuration
        self.repetition = repetition
    }

    /// `shape.layout.nodes.allocator.rN`.
    public var description: String { "\(configuration).r\(repetition)" }
}

/// The `trial_id` texts of an experiment's possible trials (`TrialPlan.possibleTrials`), each with its parts.
public struct TrialIDIndex: Sendable {
    private var byText: [String: TrialID]

    public init(_ ids: [TrialID]) {
        byText = Dictionary(ids.map { ($0.description, $0) }) { first, _ in first }
    }

    public init(experiment: Experiment) {
        self.init(TrialPlan.possibleTrials(for: experiment).map(\.identity))
    }

    /// The trial a `trial_id` cell names; nil for a text that names none of the experiment's trials.
    public subscript(text: String?) -> TrialID? { text.flatMap { byText[$0] } }
}
