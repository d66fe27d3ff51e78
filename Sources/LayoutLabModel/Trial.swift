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

    public init(experiment: String, shapeIndex: Int, shape: Shape, layout: LayoutKind, nodes: Int, allocator: AllocatorSpec, repetition: Int) {
        self.experiment = experiment
        self.shapeIndex = shapeIndex
        self.shape = shape
        self.layout = layout
        self.nodes = nodes
        self.allocator = allocator
        self.repetition = repetition
    }

    /// Stable across runs of the same file: `shape.layout.nodes.allocator.rN`.
    public var id: String { "\(shape.name).\(layout.rawValue).\(nodes).\(allocator.name).r\(repetition)" }

    /// The configuration without the repetition, for grouping repetitions together.
    public var configuration: String { "\(shape.name).\(layout.rawValue).\(nodes).\(allocator.name)" }
}
