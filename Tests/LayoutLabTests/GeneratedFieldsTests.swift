import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabCodegen

/// The generated code of bytes, string and array fields, built and called through `GeneratedCodeABI`: every
/// Swift layout builds the nodes `NodeDraw` describes (the traverse checksum is computed here from NodeDraw),
/// mutate changes buffers and array elements in place, and the runner's check of the drawn lengths catches
/// a generated draw that differs from NodeDraw.
@Suite("Generated code for bytes, string and array fields", .serialized)
struct GeneratedFieldsTests {
    static let seed: UInt64 = 0x5EED
    static let shape = Shape(name: "row", fields: [
        Field(name: "id", type: .int64),
        Field(name: "tag", type: .bytes, length: .fixed(40)),
        Field(name: "short", type: .string, length: .fixed(7)),
        Field(name: "name", type: .string, length: .uniform(lower: 8, upper: 40)),
        Field(name: "scores", type: .array, length: .fixed(10), element: .int64),
        Field(name: "none", type: .array, length: .fixed(0), element: .double),
        Field(name: "sizes", type: .array, length: .choice([.init(length: 3, weight: 0.5), .init(length: 20, weight: 0.5)]), element: .int32),
        Field(name: "note", type: .string, length: .lognormal(median: 20, sigma: 0.6, max: 400)),
        Field(name: "weights", type: .array, length: .fixed(2), element: .double),
        Field(name: "next", type: .reference),
        Field(name: "flag", type: .bool),
    ])
    static let layouts = LayoutKind.swiftLayouts
    static let nodes = 300

    /// Debug-built libraries compile in seconds; the code is the same text the runner builds with -O.
    static let flags = LayoutLibraryBuilder.compilerFlags.map { $0 == "-O" ? "-Onone" : $0 }

    static func build(_ source: String) throws -> URL {
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc(), "swiftc must be on PATH")
        let builder = LayoutLibraryBuilder(
            swiftc: swiftc, cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-cache"))
        return try builder.library(for: source, flags: flags)
    }

    /// What traverse folds for node `i`, from NodeDraw: scalars their value, a buffer its first and last byte,
    /// a string its length and first byte, an array its count and first element; `mutated` adds mutate's change.
    static func expectedFold(node i: Int, mutated: Bool) -> Int {
        var sum = 0
        let bump = mutated ? 1 : 0
        for (k, field) in shape.fields.enumerated() {
            let length = field.length.map { NodeDraw.length($0, seed: seed, fieldIndex: k, node: i) } ?? 0
            let offset = NodeDraw.contentOffset(seed: seed, fieldIndex: k, node: i)
            let letter = { (j: Int) in 97 + (offset + j) % 26 }
            switch field.type {
            case .int64: sum &+= i + k + bump
            case .bool: sum &+= ((i + k) & 1 == 0) != mutated ? 1 : 0
            case .reference: sum &+= i == 0 ? 0 : 1
            case .bytes: sum &+= letter(0) + letter(length - 1) + 2 * bump
            case .string: sum &+= length + (length > 0 ? letter(0) : 0)
            case .array:
                guard length > 0 else { break }
                sum &+= length
                switch field.element {
                case .double: sum &+= Int(truncatingIfNeeded: (Double(i) + Double(bump)).bitPattern)
                default: sum &+= i + bump
                }
            default: Issue.record("the test shape has no \(field.type) field")
            }
        }
        return sum
    }

    static let checkpoint: GeneratedCodeABI.Checkpoint = { _, _ in }

    static func phase(_ entry: GeneratedCodeABI.PhaseEntry, _ trial: UnsafeMutableRawPointer, _ kind: PhaseSpec.Kind, work: Int) throws -> [Int] {
        let code = try #require(kind.generatedCode)
        var schedule = [work]
        var result = [Int](repeating: -1, count: GeneratedCodeABI.PhaseResult.allCases.count)
        entry(trial, code, nil, &schedule, 1, nil, checkpoint, &result)
        return result
    }

    @Test func everyLayoutBuildsTheNodesNodeDrawDescribes() throws {
        let source = LayoutSourceGenerator().source(shapes: [Self.shape], layouts: Self.layouts, seed: Self.seed)
        #expect(!source.contains("TODO-codegen"))
        let library = try Self.build(source)
        try CompiledLayoutLibrary(path: library).verify(shapes: [Self.shape], seed: Self.seed)
        let handle = try #require(dlopen(library.path, RTLD_NOW | RTLD_LOCAL))
        defer { dlclose(handle) }
        let fresh = (0..<Self.nodes).reduce(0) { $0 &+ Self.expectedFold(node: $1, mutated: false) }
        let mutated = (0..<Self.nodes).reduce(0) { $0 &+ Self.expectedFold(node: $1, mutated: true) }
        let slot = GeneratedCodeABI.PhaseResult.self
        for layout in Self.layouts {
            let symbol = GeneratedCodeABI.allocateSymbol(shapeIndex: 0, layout: layout.rawValue)
            let allocate = unsafeBitCast(try #require(dlsym(handle, symbol)), to: GeneratedCodeABI.AllocateEntry.self)
            let entry = unsafeBitCast(
                try #require(dlsym(handle, GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol))), to: GeneratedCodeABI.PhaseEntry.self)
            var schedule = [Self.nodes]
            let trial = allocate(Self.nodes, &schedule, 1, nil, Self.checkpoint)
            #expect(try Self.phase(entry, trial, .traverse, work: Self.nodes)[slot.checksum.rawValue] == fresh, "\(layout): traverse")
            _ = try Self.phase(entry, trial, .mutate, work: Self.nodes)
            #expect(try Self.phase(entry, trial, .traverse, work: Self.nodes)[slot.checksum.rawValue] == mutated, "\(layout): traverse after mutate")
            let heap = layout != .structArray && layout != .columns
            if heap {
                let reallocated = try Self.phase(entry, trial, .reallocate, work: Self.nodes / 2)
                #expect(reallocated[slot.liveNodes.rawValue] == Self.nodes, "\(layout): reallocate keeps every node alive")
                // The odd nodes are new again (unmutated); the even ones keep mutate's change.
                let mixed = (0..<Self.nodes).reduce(0) { $0 &+ Self.expectedFold(node: $1, mutated: $1 % 2 == 0) }
                #expect(try Self.phase(entry, trial, .traverse, work: Self.nodes)[slot.checksum.rawValue] == mixed, "\(layout): after reallocate")
            }
            let freed = try Self.phase(entry, trial, .freeAll, work: Self.nodes)
            #expect(freed[slot.liveNodes.rawValue] == 0, "\(layout): free-all")
            Unmanaged<AnyObject>.fromOpaque(trial).release()
        }
    }

    /// A generated length draw broken on purpose (a uniform over one length fewer): the runner's check must
    /// refuse the library and name the field and node.
    @Test func theLengthCheckCatchesADrawThatDiffersFromNodeDraw() throws {
        let shape = Shape(name: "named", fields: [
            Field(name: "id", type: .int64), Field(name: "name", type: .string, length: .uniform(lower: 8, upper: 40)),
        ])
        let source = LayoutSourceGenerator().source(shapes: [shape], layouts: [.finalClass], seed: Self.seed)
        try CompiledLayoutLibrary(path: try Self.build(source)).verify(shapes: [shape], seed: Self.seed)
        let correct = "return 8 &+ Int(h1 % 33)"
        #expect(source.contains(correct))
        let broken = source.replacingOccurrences(of: correct, with: "return 8 &+ Int(h1 % 32)")
        let library = try CompiledLayoutLibrary(path: try Self.build(broken))
        #expect {
            try library.verify(shapes: [shape], seed: Self.seed)
        } throws: { error in
            let message = "\(error)"
            return message.contains("field name") && message.contains("NodeDraw") && message.contains("for node")
        }
        // The same library with another seed than the one built in is refused too.
        #expect(throws: LayoutBuildError.self) {
            try CompiledLayoutLibrary(path: try Self.build(source)).verify(shapes: [shape], seed: Self.seed + 1)
        }
    }

    /// Sweep members share their family's code; their record layouts still match `PayloadLayout`, and each
    /// member's entry points build its own length.
    @Test func sweepMembersShareOneImplementationAndMatchPayloadLayout() throws {
        let members = [8, 40, 41].flatMap { length -> [Shape] in
            [Shape(name: "buf-\(length)", fields: [
                Field(name: "id", type: .int32), Field(name: "name", type: .string, length: .uniform(lower: 0, upper: 20)),
                Field(name: "tag", type: .bytes, length: .fixed(length)),
            ], sweep: ShapeSweep(family: "buf", fieldIndex: 2, length: length))]
        } + [7, 40].map { length in
            Shape(name: "text-\(length)", fields: [Field(name: "flag", type: .bool), Field(name: "name", type: .string, length: .fixed(length))],
                  sweep: ShapeSweep(family: "text", fieldIndex: 1, length: length))
        }
        let source = LayoutSourceGenerator().source(shapes: members, layouts: Self.layouts, seed: Self.seed)
        #expect(source.components(separatedBy: "func layoutlab_family0_final_class(").count == 2, "one implementation per family and layout")
        let library = try Self.build(source)
        try CompiledLayoutLibrary(path: library).verify(shapes: members, seed: Self.seed)
        let handle = try #require(dlopen(library.path, RTLD_NOW | RTLD_LOCAL))
        defer { dlclose(handle) }
        for (index, member) in members.enumerated() {
            let length = try #require(member.sweep?.length)
            for layout in Self.layouts {
                let symbol = GeneratedCodeABI.allocateSymbol(shapeIndex: index, layout: layout.rawValue)
                let allocate = unsafeBitCast(try #require(dlsym(handle, symbol)), to: GeneratedCodeABI.AllocateEntry.self)
                let entry = unsafeBitCast(
                    try #require(dlsym(handle, GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol))), to: GeneratedCodeABI.PhaseEntry.self)
                var schedule = [50]
                let trial = allocate(50, &schedule, 1, nil, Self.checkpoint)
                let checksum = try Self.phase(entry, trial, .traverse, work: 50)[GeneratedCodeABI.PhaseResult.checksum.rawValue]
                var expected = 0
                for i in 0..<50 {
                    for (k, field) in member.fields.enumerated() {
                        let drawn = field.length.map { NodeDraw.length($0, seed: Self.seed, fieldIndex: k, node: i) } ?? 0
                        let offset = NodeDraw.contentOffset(seed: Self.seed, fieldIndex: k, node: i)
                        switch field.type {
                        case .int32: expected += i + k
                        case .bool: expected += (i + k) & 1 == 0 ? 1 : 0
                        case .string: expected += drawn + (drawn > 0 ? 97 + offset % 26 : 0)
                        default: expected += 97 + offset % 26 + 97 + (offset + length - 1) % 26
                        }
                    }
                }
                #expect(checksum == expected, "\(member.name) \(layout)")
                _ = try Self.phase(entry, trial, .churn, work: 0)
                Unmanaged<AnyObject>.fromOpaque(trial).release()
            }
        }
    }
}
