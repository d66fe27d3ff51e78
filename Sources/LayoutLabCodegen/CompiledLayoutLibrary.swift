import Foundation
import LayoutLabModel
import LayoutLabProtocol

/// A compiled layout library opened in the runner's own process, to ask the compiler's answer about the
/// generated record structs before any trial runs.
package struct CompiledLayoutLibrary {
    private let handle: UnsafeMutableRawPointer

    package init(path: URL) throws(LayoutBuildError) {
        guard let handle = dlopen(path.path, RTLD_NOW | RTLD_LOCAL) else {
            throw LayoutBuildError(message: "cannot load \(path.path): \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        self.handle = handle
    }

    /// `MemoryLayout` size, stride and alignment of shape `shapeIndex`'s record, as compiled.
    package func recordLayout(shapeIndex: Int) throws(LayoutBuildError) -> (size: Int, stride: Int, alignment: Int) {
        let symbol = LayoutSourceGenerator.recordLayoutSymbol(shapeIndex: shapeIndex)
        guard let address = dlsym(handle, symbol) else {
            throw LayoutBuildError(message: "the layout library has no \(symbol)")
        }
        var values = [0, 0, 0]
        unsafeBitCast(address, to: GeneratedCodeABI.RecordLayoutEntry.self)(&values)
        return (values[0], values[1], values[2])
    }

    /// The nodes whose drawn lengths `verify` compares with `NodeDraw`.
    package static let verifiedLengthNodes = 4096

    /// The length node `node` drew for field `fieldIndex` of shape `shapeIndex` (a field whose length is a
    /// distribution), as compiled.
    package func drawnLength(shapeIndex: Int, fieldIndex: Int, node: Int) throws(LayoutBuildError) -> Int {
        let symbol = GeneratedCodeABI.lengthSymbol(shapeIndex: shapeIndex, fieldIndex: fieldIndex)
        guard let address = dlsym(handle, symbol) else {
            throw LayoutBuildError(message: "the layout library has no \(symbol)")
        }
        return unsafeBitCast(address, to: GeneratedCodeABI.LengthEntry.self)(node)
    }

    /// Fails when the compiler laid out any shape differently from `PayloadLayout`'s arithmetic (a sweep
    /// member: from its family's run-time-sized code), or when the generated code draws another length than
    /// `NodeDraw.length` with `seed` for any of the first `verifiedLengthNodes` nodes of a variable field.
    package func verify(shapes: [Shape], seed: UInt64 = 1) throws(LayoutBuildError) {
        for (index, shape) in shapes.enumerated() {
            for (position, field) in shape.fields.enumerated() {
                guard let length = field.length, length.fixedCount == nil else { continue }
                for node in 0..<Self.verifiedLengthNodes {
                    let compiled = try drawnLength(shapeIndex: index, fieldIndex: position, node: node)
                    let expected = NodeDraw.length(length, seed: seed, fieldIndex: position, node: node)
                    guard compiled == expected else {
                        throw LayoutBuildError(message: """
                            shape \(shape.name), field \(field.name) (\(field.typeToken)): the generated code draws \
                            length \(compiled) for node \(node) where NodeDraw draws \(expected) (seed \(seed)), so the \
                            nodes would not be the ones the experiment describes
                            """)
                    }
                }
            }
        }
        for (index, shape) in shapes.enumerated() {
            let compiled = try recordLayout(shapeIndex: index)
            let expected = shape.payload
            guard compiled == (expected.sizeBytes, expected.strideBytes, expected.alignmentBytes) else {
                throw LayoutBuildError(message: """
                    shape \(shape.name): the compiler laid out the payload as size \(compiled.size), stride \
                    \(compiled.stride), alignment \(compiled.alignment); PayloadLayout says \(expected.sizeBytes), \
                    \(expected.strideBytes), \(expected.alignmentBytes)
                    """)
            }
        }
    }
}
