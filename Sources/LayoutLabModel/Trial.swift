/// One measurement: one shape under one layout, `nodes` nodes, one allocator, one repetition, run in a
/// fresh worker process.
public struct Trial: Equatable, Sendable {
    public var experiment: String
    public var shapeIndex: Int
    public var shape: Shape
    public var layout: LayoutKind
    public var nodes: Int
    public var allocator: AllocatorSpec
    /// 1-based.
    public var repetition: Int
    /// Threads the work runs on (`Experiment.threads`); nil: the classic one-thread trial.
    public var threads: Int?
    /// A trace replay (`Experiment.traces`): its shape is a placeholder named after the trace (no fields), its layout
    /// a placeholder the tables write as `trace`, `nodes` the trace's events; nil for the classic node trial.
    public var trace: TraceSource?
    /// A program run as the trial (`Experiment.programs`): its shape is a placeholder named after the program (no
    /// fields), its layout a placeholder the tables write as `program`, `nodes` 0; nil for other trials.
    public var program: ProgramSource?
    /// The interpreter that runs a Python layout's trial; nil for a Swift layout (or an experiment read without one).
    public var python: PythonInterpreter?
    /// The interpreter's part of the trial id (`3.12`, giving `.py3.12`) when the experiment lists more than one;
    /// nil otherwise, so a one-interpreter experiment keeps its ids.
    public var pythonLabel: String?

    public init(
        experiment: String, shapeIndex: Int, shape: Shape, layout: LayoutKind, nodes: Int, allocator: AllocatorSpec, repetition: Int,
        threads: Int? = nil
    ) {
        self.threads = threads
        self.experiment = experiment
        self.shapeIndex = shapeIndex
        self.shape = shape
        self.layout = layout
        self.nodes = nodes
        self.allocator = allocator
        self.repetition = repetition
    }

    /// Which trial this is, by its parts.
    public var identity: TrialID {
        TrialID(
            .init(shape: shape.name, layout: layout, nodes: nodes, allocator: allocator.name, threads: threads, python: pythonLabel, trace: trace?.name,
                program: program?.name),
            repetition: repetition)
    }

    /// Stable across runs of the same file: `shape.layout.nodes.allocator.rN`, `.tT` with threads, `.pyV` with several
    /// interpreters, `trace.trace.allocator.rN` for a trace replay, or `program.program.allocator.rN` for a program
    /// (the `trial_id` of every table).
    public var id: String { identity.description }

    /// The configuration without the repetition, for grouping repetitions together.
    public var configuration: String { identity.configuration.description }
}
