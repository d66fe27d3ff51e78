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

    /// The callback of a threaded slice (`ThreadedSliceEntry`) at each of its local checkpoints: the pool thread's
    /// context, the work items this thread has done in the phase so far, and the change in live nodes this
    /// thread has made so far (nodes built less nodes whose `deinit` ran on this thread; a value layout's release
    /// counts every node).
    package typealias ThreadCheckpoint = @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> Void

    /// Threads, step 1: reserves the container for `nodes` nodes (one allocation per array, as the classic
    /// allocate reserves it; no slot is written, so no page is touched) and returns a retained handle. From here
    /// on the heap layouts count frees per thread (see `ThreadedSliceEntry`'s `freed`).
    package typealias ThreadedPrepareEntry = @convention(c) (Int) -> UnsafeMutableRawPointer

    /// Threads, step 2, on a pool thread: runs phase `phase` (`PhaseSpec.Kind.generatedCode`, or
    /// `threadedAllocateCode`) on work items [first, end) of the calling thread's slice of nodes
    /// [sliceStart, sliceEnd) (sliceStart even; node references stay inside the slice, to even nodes). Work item w
    /// is node w (allocate, traverse, mutate, free-all), node 2w+1 (free-half, reallocate), or node
    /// `permutation[sliceStart + (w − first) % (sliceEnd − sliceStart)]` (churn; random orders read
    /// `permutation[w]`, which the caller fills with a permutation of each slice). Calls back at each of the `count`
    /// absolute work counts in `checkpoints`; `freed` is the thread's own counter that its nodes' `deinit`s add
    /// to; writes `PhaseResult` (`liveNodes`: this thread's change in live nodes).
    package typealias ThreadedSliceEntry = @convention(c) (
        UnsafeMutableRawPointer, Int, Int, Int, Int, Int, UnsafePointer<Int>?, UnsafePointer<Int>, Int,
        UnsafeMutableRawPointer?, ThreadCheckpoint, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>
    ) -> Void

    /// Threads, step 3, on the sampling thread once every slice of phase `phase` has returned: after a phase that
    /// freed every node (free-all, remote-free: both run `freeAll`'s code), releases the emptied container.
    package typealias ThreadedFinishEntry = @convention(c) (UnsafeMutableRawPointer, Int) -> Void

    /// The phase code `ThreadedSliceEntry` builds nodes under (allocate has no classic phase code).
    package static let threadedAllocateCode = 0

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

    /// The threaded entry points beside the allocate entry point `allocateSymbol` (`ThreadedPrepareEntry`,
    /// `ThreadedSliceEntry`, `ThreadedFinishEntry`).
    package static func threadedPrepareSymbol(allocateSymbol: String) -> String { allocateSymbol + "_thread_prepare" }
    package static func threadedSliceSymbol(allocateSymbol: String) -> String { allocateSymbol + "_thread_slice" }
    package static func threadedFinishSymbol(allocateSymbol: String) -> String { allocateSymbol + "_thread_finish" }

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

    /// `ThreadCheckpoint` as source, and the name the generated source gives it.
    package static let threadCheckpointTypeName = "LayoutLabThreadCheckpoint"
    package static let threadCheckpointTypeSource = "@convention(c) (UnsafeMutableRawPointer?, Int, Int) -> Void"

    /// `ThreadedPrepareEntry` as source.
    package static let threadedPrepareSignature = Signature(parameters: [("nodes", "Int")], result: "UnsafeMutableRawPointer")

    /// `ThreadedSliceEntry` as source.
    package static let threadedSliceSignature = Signature(parameters: [
        ("handle", "UnsafeMutableRawPointer"), ("phase", "Int"), ("sliceStart", "Int"), ("sliceEnd", "Int"),
        ("first", "Int"), ("end", "Int"), ("permutation", "UnsafePointer<Int>?"), ("checkpoints", "UnsafePointer<Int>"),
        ("count", "Int"), ("context", "UnsafeMutableRawPointer?"), ("checkpoint", threadCheckpointTypeName),
        ("freed", "UnsafeMutablePointer<Int>"), ("result", "UnsafeMutablePointer<Int>"),
    ], result: nil)

    /// `ThreadedFinishEntry` as source.
    package static let threadedFinishSignature = Signature(parameters: [("handle", "UnsafeMutableRawPointer"), ("phase", "Int")], result: nil)

    /// `LengthEntry` as source.
    package static let lengthSignature = Signature(parameters: [("node", "Int")], result: "Int")

    /// `NodeMetadataEntry` as source.
    package static let nodeMetadataSignature = Signature(parameters: [], result: "UnsafeRawPointer?")

    /// `RecordLayoutEntry` as source.
    package static let recordLayoutSignature = Signature(parameters: [("out", "UnsafeMutablePointer<Int>")], result: nil)
}
