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

    /// Fails when the compiler laid out any shape differently from `PayloadLayout`'s arithmetic.
    package func verify(shapes: [Shape]) throws(LayoutBuildError) {
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
