/// The C ABI between the generated layout library and the code that loads it (the worker, and the runner's
/// record-layout check), written down once: the symbol names, the C function types, the checkpoint marker and
/// the phase result slots. The generator writes its entry points from `Signature`s below; a test type-checks
/// the generated source together with this file, assigning every entry point to the typealias here, so text
/// and type cannot drift apart.
///
/// This file uses the standard library only: the test compiles it beside generated code.
package enum GeneratedCodeABI {
    /// The callback the generated code calls at each checkpoint: context, nodes alive (or `containerReady`).
    package typealias Checkpoint = @convention(c) (UnsafeMutableRawPointer?, Int) -> Void

    /// One shape × layout's allocate entry point: builds `nodes` nodes, calling back at 0 (before anything is
    /// allocated), at `containerReady`, and at each of the `count` node counts in `checkpoints`; returns a
    /// retained handle that keeps every node alive.
    package typealias AllocateEntry = @convention(c) (
        Int, UnsafePointer<Int>, Int, UnsafeMutableRawPointer?, Checkpoint
    ) -> UnsafeMutableRawPointer

    /// One shape × layout's phase entry point: runs the phase `PhaseSpec.Kind.generatedCode` names over the
    /// nodes of the handle, in the order of the permutation when one is given, calling back with the live node
    /// count at 0 work items and at each of the `count` work counts in `checkpoints`; writes `PhaseResult`.
    package typealias PhaseEntry = @convention(c) (
        UnsafeMutableRawPointer, Int, UnsafePointer<Int>?, UnsafePointer<Int>, Int, UnsafeMutableRawPointer?,
        Checkpoint, UnsafeMutablePointer<Int>
    ) -> Void

    /// A shape's record-layout entry point: writes `MemoryLayout` size, stride and alignment of its record
    /// struct into three `Int`s.
    package typealias RecordLayoutEntry = @convention(c) (UnsafeMutablePointer<Int>) -> Void

    /// A variable-length field's length entry point: the length node `node` drew (elements), as
    /// `NodeDraw.length` describes it, so the runner can check the generated draw against it.
    package typealias LengthEntry = @convention(c) (Int) -> Int

    /// One shape × layout's node-metadata entry point: the Swift metadata pointer of the layout's node class (the
    /// pointer `swift_allocObject` receives for a node's own object), or nil for value layouts, which have none.
    package typealias NodeMetadataEntry = @convention(c) () -> UnsafeRawPointer?

    /// The node count the allocate entry point reports once the container is reserved.
    package static let containerReady = -1

    /// The slots of the phase entry point's result array, in order.
    package enum PhaseResult: Int, CaseIterable, Sendable {
        /// Sum of every field read (traverse), so the compiler cannot drop the reads.
        case checksum
        /// Nodes alive at the end of the phase.
        case liveNodes
        /// 1, or 0 where the phase cannot apply to the layout.
        case applicable
    }

    /// The allocate entry point of shape number `shapeIndex` under the layout named `layout` (`final-class`).
    package static func allocateSymbol(shapeIndex: Int, layout: String) -> String {
        "layoutlab_s\(shapeIndex)_" + String(layout.map { $0 == "-" ? "_" : $0 })
    }

    /// The phase entry point beside the allocate entry point `allocateSymbol`.
    package static func phaseSymbol(allocateSymbol: String) -> String { allocateSymbol + "_phase" }

    /// The node-metadata entry point beside the allocate entry point `allocateSymbol`.
    package static func nodeMetadataSymbol(allocateSymbol: String) -> String { allocateSymbol + "_node_metadata" }

    /// The record-layout entry point of shape number `shapeIndex`.
    package static func recordLayoutSymbol(shapeIndex: Int) -> String { "layoutlab_s\(shapeIndex)_record_layout" }

    /// The length entry point of field `fieldIndex` (its position in the shape) of shape `shapeIndex`,
    /// present for each field whose length is a distribution.
    package static func lengthSymbol(shapeIndex: Int, fieldIndex: Int) -> String { "layoutlab_s\(shapeIndex)_f\(fieldIndex)_length" }

    /// A C function type as Swift source: parameter names and types, and the result type (nil for `Void`).
    package struct Signature: Sendable {
        package var parameters: [(name: String, type: String)]
        package var result: String?

        /// `_ nodes: Int, …`: the parameter list of a function declaration.
        package var parameterList: String { parameters.map { "_ \($0.name): \($0.type)" }.joined(separator: ", ") }

        /// ` -> T`, or nothing for `Void`.
        package var resultClause: String { result.map { " -> \($0)" } ?? "" }
    }

    /// The name the generated source gives `Checkpoint`, and its definition there.
    package static let checkpointTypeName = "LayoutLabCheckpoint"
    package static let checkpointTypeSource = "@convention(c) (UnsafeMutableRawPointer?, Int) -> Void"

    /// `AllocateEntry` as source.
    package static let allocateSignature = Signature(parameters: [
        ("nodes", "Int"), ("checkpoints", "UnsafePointer<Int>"), ("count", "Int"), ("context", "UnsafeMutableRawPointer?"),
        ("checkpoint", checkpointTypeName),
    ], result: "UnsafeMutableRawPointer")

    /// `PhaseEntry` as source.
    package static let phaseSignature = Signature(parameters: [
        ("handle", "UnsafeMutableRawPointer"), ("phase", "Int"), ("permutation", "UnsafePointer<Int>?"),
        ("checkpoints", "UnsafePointer<Int>"), ("count", "Int"), ("context", "UnsafeMutableRawPointer?"),
        ("checkpoint", checkpointTypeName), ("result", "UnsafeMutablePointer<Int>"),
    ], result: nil)

    /// `LengthEntry` as source.
    package static let lengthSignature = Signature(parameters: [("node", "Int")], result: "Int")

    /// `NodeMetadataEntry` as source.
    package static let nodeMetadataSignature = Signature(parameters: [], result: "UnsafeRawPointer?")

    /// `RecordLayoutEntry` as source.
    package static let recordLayoutSignature = Signature(parameters: [("out", "UnsafeMutablePointer<Int>")], result: nil)
}
