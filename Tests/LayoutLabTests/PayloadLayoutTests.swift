import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabCodegen

// Hand-written structs: the ground truth the payload arithmetic and the generated code must match.
private struct PointXY { var x: Int64; var y: Int64 }
private struct Int8Int64Int8 { var a: Int8; var b: Int64; var c: Int8 }
private struct Int8Int8Int64 { var a: Int8; var b: Int8; var c: Int64 }
private struct OneBool { var flag: Bool }
private struct MixedSmall { var a: Int16; var b: UInt8; var c: Float; var d: Bool }
private struct Particle { var x: Double; var y: Double; var z: Float; var alive: Bool; var id: UInt32 }
private final class Node {}
private struct Linked { var value: Int32; var next: Node?; var tag: UInt16 }
private struct Wide { var a: UInt64; var b: Int32; var c: Int16; var d: Int8; var e: UInt8; var f: Double }
private struct Tagged { var flag: Int8; var tag: InlineArray<5, UInt8>; var value: Int32 }
private struct BufferThenWord { var tag: InlineArray<40, UInt8>; var id: Int64 }
private struct OddBuffer { var tag: InlineArray<3, UInt8> }
private struct Row { var flag: Bool; var name: String; var tag: InlineArray<3, UInt8>; var scores: ContiguousArray<Int64>; var last: Int16 }

@Suite("Payload layout equals hand-written Swift structs")
struct PayloadLayoutTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var types: [FieldType]
        var size: Int
        var stride: Int
        var alignment: Int
        var testDescription: String { types.map(\.rawValue).joined(separator: ",") }

        init<T>(_ types: [FieldType], _: T.Type) {
            self.types = types
            size = MemoryLayout<T>.size
            stride = MemoryLayout<T>.stride
            alignment = MemoryLayout<T>.alignment
        }
    }

    static let cases: [Case] = [
        Case([.int64, .int64], PointXY.self),
        Case([.int8, .int64, .int8], Int8Int64Int8.self),
        Case([.int8, .int8, .int64], Int8Int8Int64.self),
        Case([.bool], OneBool.self),
        Case([.int16, .uint8, .float, .bool], MixedSmall.self),
        Case([.double, .double, .float, .bool, .uint32], Particle.self),
        Case([.int32, .reference, .uint16], Linked.self),
        Case([.uint64, .int32, .int16, .int8, .uint8, .double], Wide.self),
    ]

    @Test(arguments: cases)
    func arithmeticMatchesTheCompiler(_ example: Case) {
        let layout = PayloadLayout(fieldTypes: example.types)
        #expect(layout.sizeBytes == example.size)
        #expect(layout.strideBytes == example.stride)
        #expect(layout.alignmentBytes == example.alignment)
    }

    /// Shapes with bytes, string and array fields against hand-written structs holding `InlineArray`,
    /// `String` and `ContiguousArray`.
    struct FieldCase: Sendable, CustomTestStringConvertible {
        var fields: [Field]
        var offsets: [Int]
        var size: Int
        var stride: Int
        var alignment: Int
        var testDescription: String { fields.map(\.typeToken).joined(separator: ",") }

        init<T>(_ fields: [Field], _: T.Type, offsets: [PartialKeyPath<T>]) {
            self.fields = fields
            self.offsets = offsets.map { MemoryLayout<T>.offset(of: $0) ?? -1 }
            size = MemoryLayout<T>.size
            stride = MemoryLayout<T>.stride
            alignment = MemoryLayout<T>.alignment
        }
    }

    static let fieldCases: [FieldCase] = [
        FieldCase([Field(name: "flag", type: .int8), Field(name: "tag", type: .bytes, length: .fixed(5)), Field(name: "value", type: .int32)],
                  Tagged.self, offsets: [\Tagged.flag, \Tagged.tag, \Tagged.value]),
        FieldCase([Field(name: "tag", type: .bytes, length: .fixed(40)), Field(name: "id", type: .int64)],
                  BufferThenWord.self, offsets: [\BufferThenWord.tag, \BufferThenWord.id]),
        FieldCase([Field(name: "tag", type: .bytes, length: .fixed(3))], OddBuffer.self, offsets: [\OddBuffer.tag]),
        FieldCase([
            Field(name: "flag", type: .bool), Field(name: "name", type: .string, length: .uniform(lower: 8, upper: 40)),
            Field(name: "tag", type: .bytes, length: .fixed(3)), Field(name: "scores", type: .array, length: .fixed(10), element: .int64),
            Field(name: "last", type: .int16),
        ], Row.self, offsets: [\Row.flag, \Row.name, \Row.tag, \Row.scores, \Row.last]),
    ]

    @Test(arguments: fieldCases)
    func arithmeticMatchesTheCompilerForBuffersStringsAndArrays(_ example: FieldCase) {
        let layout = PayloadLayout(fields: example.fields)
        #expect(layout.offsetsBytes == example.offsets)
        #expect(layout.sizeBytes == example.size)
        #expect(layout.strideBytes == example.stride)
        #expect(layout.alignmentBytes == example.alignment)
    }

    @Test func theIssueExamples() {
        #expect(PayloadLayout(fieldTypes: [.int8, .int64, .int8]).sizeBytes == 17)
        #expect(PayloadLayout(fieldTypes: [.int8, .int64, .int8]).strideBytes == 24)
        #expect(PayloadLayout(fieldTypes: [.int8, .int8, .int64]).sizeBytes == 16)
    }

    @Test func generatedRecordsCompileToTheSameLayout() throws {
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc(), "swiftc must be on PATH")
        let shapes = Self.cases.enumerated().map { index, example in
            Shape(name: "shape\(index)", fields: example.types.enumerated().map { Field(name: "f\($0)", type: $1) })
        } + Self.fieldCases.enumerated().map { Shape(name: "fields\($0)", fields: $1.fields) }
        let source = LayoutSourceGenerator().source(shapes: shapes, layouts: LayoutKind.swiftLayouts)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-cache")
        let library = try LayoutLibraryBuilder(swiftc: swiftc, cacheDirectory: cache).library(for: source)
        let compiled = try CompiledLayoutLibrary(path: library)
        for (index, example) in Self.cases.enumerated() {
            let layout = try compiled.recordLayout(shapeIndex: index)
            #expect(layout.size == example.size, "\(example.testDescription)")
            #expect(layout.stride == example.stride, "\(example.testDescription)")
            #expect(layout.alignment == example.alignment, "\(example.testDescription)")
        }
        for (offset, example) in Self.fieldCases.enumerated() {
            let layout = try compiled.recordLayout(shapeIndex: Self.cases.count + offset)
            #expect(layout == (example.size, example.stride, example.alignment), "\(example.testDescription)")
        }
        try compiled.verify(shapes: shapes)
    }
}
