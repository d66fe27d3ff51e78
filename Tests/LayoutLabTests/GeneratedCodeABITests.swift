import Foundation
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabCodegen
import Testing

/// The generated code's entry points against `GeneratedCodeABI`, the types the worker calls them through:
/// type-checked together (a parameter of another type fails to compile), then built, loaded and called.
@Suite("Generated code ABI", .serialized)
struct GeneratedCodeABITests {
    static let shape = Shape(name: "mixed", fields: [
        Field(name: "a", type: .int64), Field(name: "b", type: .double), Field(name: "c", type: .bool),
        Field(name: "next", type: .reference), Field(name: "name", type: .string, length: .uniform(lower: 0, upper: 20)),
    ])
    /// A sweep member, whose entry points are wrappers around its family's code.
    static let member = Shape(name: "buf-16", fields: [
        Field(name: "name", type: .string, length: .uniform(lower: 0, upper: 20)), Field(name: "tag", type: .bytes, length: .fixed(16)),
    ], sweep: ShapeSweep(family: "buf", fieldIndex: 1, length: 16))
    /// A member of a string sweep: its family has threaded entry points, reached through the member's wrappers.
    static let stringMember = Shape(name: "text-8", fields: [
        Field(name: "id", type: .int64), Field(name: "next", type: .reference), Field(name: "text", type: .string, length: .fixed(8)),
    ], sweep: ShapeSweep(family: "text", fieldIndex: 2, length: 8))
    static let layouts = LayoutKind.allCases.filter { !$0.isPython }

    static var source: String { LayoutSourceGenerator().source(shapes: [shape], layouts: layouts) }

    /// `let _: GeneratedCodeABI.X = symbol` for every entry point the ABI names for the shape, a sweep member
    /// and the layouts, including the length entry points of their variable fields.
    static var assignments: String {
        var text = ""
        for (index, shape) in [shape, member, stringMember].enumerated() {
            text += "let _: GeneratedCodeABI.RecordLayoutEntry = \(GeneratedCodeABI.recordLayoutSymbol(shapeIndex: index))\n"
            for (position, field) in shape.fields.enumerated() where field.length?.fixedCount == nil && field.length != nil {
                text += "let _: GeneratedCodeABI.LengthEntry = \(GeneratedCodeABI.lengthSymbol(shapeIndex: index, fieldIndex: position))\n"
            }
            for layout in layouts {
                let symbol = GeneratedCodeABI.allocateSymbol(shapeIndex: index, layout: layout.rawValue)
                text += "let _: GeneratedCodeABI.AllocateEntry = \(symbol)\n"
                text += "let _: GeneratedCodeABI.PhaseEntry = \(GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol))\n"
                text += "let _: GeneratedCodeABI.NodeMetadataEntry = \(GeneratedCodeABI.nodeMetadataSymbol(allocateSymbol: symbol))\n"
                // A swept bytes member has no threaded entries (the validator refuses threads with it).
                guard shape.sweep.map({ shape.fields[$0.fieldIndex].type != .bytes }) ?? true else { continue }
                text += "let _: GeneratedCodeABI.ThreadedPrepareEntry = \(GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: symbol))\n"
                text += "let _: GeneratedCodeABI.ThreadedSliceEntry = \(GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: symbol))\n"
                text += "let _: GeneratedCodeABI.ThreadedFinishEntry = \(GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: symbol))\n"
            }
        }
        return "func layoutlabABICheck() {\n" + text + "}\n"
    }

    /// The ABI's own source file, which the worker compiles.
    static let abiFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/LayoutLabProtocol/GeneratedCodeABI.swift")

    @Test func everyEntryPointHasTheDeclaredType() throws {
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc())
        let directory = try TestSupport.temporaryDirectory("abi")
        let generated = directory.appendingPathComponent("layouts.swift")
        let check = directory.appendingPathComponent("check.swift")
        try LayoutSourceGenerator().source(shapes: [Self.shape, Self.member, Self.stringMember], layouts: Self.layouts)
            .write(to: generated, atomically: true, encoding: .utf8)
        try Self.assignments.write(to: check, atomically: true, encoding: .utf8)
        let flags = LayoutLibraryBuilder.compilerFlags.filter { $0 != "-O" && $0 != "-wmo" && $0 != "-emit-library" }
        let result = try TestSupport.runTool(swiftc, ["-typecheck", "-package-name", "LayoutLabABICheck"] + flags + [generated.path, Self.abiFile.path, check.path])
        #expect(result.status == 0, "the generated entry points do not match GeneratedCodeABI:\n\(result.stdout)\(result.stderr)")
    }

    /// The generated library of `source` built without optimisation (in a shared test cache) and loaded.
    static func loadedLibrary() throws -> UnsafeMutableRawPointer {
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc())
        let builder = LayoutLibraryBuilder(
            swiftc: swiftc, cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-cache"))
        let flags = LayoutLibraryBuilder.compilerFlags.map { $0 == "-O" ? "-Onone" : $0 }
        let library = try builder.library(for: Self.source, flags: flags)
        return try #require(dlopen(library.path, RTLD_NOW | RTLD_LOCAL), "cannot load \(library.path)")
    }

    /// Each layout built into a library, every ABI symbol resolved, and the entry points called through the
    /// ABI's types: 10 nodes, then `free-half` by its code; heap layouts free 5, value layouts do not apply.
    @Test func everyEntryPointResolvesAndRuns() throws {
        let handle = try Self.loadedLibrary()
        defer { dlclose(handle) }

        let record = try #require(dlsym(handle, GeneratedCodeABI.recordLayoutSymbol(shapeIndex: 0)))
        var layout = [0, 0, 0]
        unsafeBitCast(record, to: GeneratedCodeABI.RecordLayoutEntry.self)(&layout)
        #expect(layout == [Self.shape.payload.sizeBytes, Self.shape.payload.strideBytes, Self.shape.payload.alignmentBytes])

        let checkpoint: GeneratedCodeABI.Checkpoint = { context, nodes in
            guard let context, nodes != GeneratedCodeABI.containerReady else { return }
            context.assumingMemoryBound(to: Int.self).pointee = nodes
        }
        let freeHalf = try #require(PhaseSpec.Kind.freeHalf.generatedCode)
        for layout in Self.layouts {
            let symbol = GeneratedCodeABI.allocateSymbol(shapeIndex: 0, layout: layout.rawValue)
            let allocate = try #require(dlsym(handle, symbol), "\(symbol) missing")
            let phase = try #require(dlsym(handle, GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol)), "\(symbol) has no phase entry")
            var lastNodes = -1
            var schedule = [10]
            let nodes = try withUnsafeMutablePointer(to: &lastNodes) { context in
                let trial = unsafeBitCast(allocate, to: GeneratedCodeABI.AllocateEntry.self)(10, &schedule, 1, context, checkpoint)
                #expect(context.pointee == 10, "\(layout): the last checkpoint reports every node")
                var work = [5]
                var result = [Int](repeating: -1, count: GeneratedCodeABI.PhaseResult.allCases.count)
                unsafeBitCast(phase, to: GeneratedCodeABI.PhaseEntry.self)(trial, freeHalf, nil, &work, 1, context, checkpoint, &result)
                Unmanaged<AnyObject>.fromOpaque(trial).release()
                return try #require(result.count == 3 ? result : nil)
            }
            let heap = layout != .structArray && layout != .columns
            let metadata = try #require(dlsym(handle, GeneratedCodeABI.nodeMetadataSymbol(allocateSymbol: symbol)), "\(symbol) has no node metadata")
            let nodeClass = unsafeBitCast(metadata, to: GeneratedCodeABI.NodeMetadataEntry.self)()
            #expect((nodeClass != nil) == heap, "\(layout): a node class exactly for the heap layouts")
            #expect(nodes[GeneratedCodeABI.PhaseResult.liveNodes.rawValue] == (heap ? 5 : 10), "\(layout)")
            #expect(nodes[GeneratedCodeABI.PhaseResult.applicable.rawValue] == (heap ? 1 : 0), "\(layout)")
            #expect(nodes[GeneratedCodeABI.PhaseResult.checksum.rawValue] == 0, "\(layout): free-half reads nothing")
        }
    }

    /// The threaded entry points through the ABI's types, both slices run on this thread one after the other:
    /// 11 nodes in slices [0, 6) and [6, 11), then free-half per slice (heap layouts: 5 odd nodes freed, counted
    /// in the slices' own counters), then free-all (every node), then finish.
    @Test func threadedEntryPointsBuildAndFreeBySlice() throws {
        let handle = try Self.loadedLibrary()
        defer { dlclose(handle) }
        let checkpoint: GeneratedCodeABI.ThreadCheckpoint = { context, items, live in
            guard let context else { return }
            context.assumingMemoryBound(to: Int.self).pointee = live
            _ = items
        }
        let slices = [(0, 6), (6, 11)]
        func run(_ slice: GeneratedCodeABI.ThreadedSliceEntry, _ trial: UnsafeMutableRawPointer, _ code: Int, halves: Bool) -> [[Int]] {
            slices.map { (start: Int, end: Int) -> [Int] in
                let first = halves ? start / 2 : start, stop = halves ? end / 2 : end
                var schedule = [stop]
                var freed = 0
                var lastLive = -99
                var result = [Int](repeating: -1, count: GeneratedCodeABI.PhaseResult.allCases.count)
                slice(trial, code, start, end, first, stop, nil, &schedule, 1, &lastLive, checkpoint, &freed, &result)
                #expect(lastLive == result[GeneratedCodeABI.PhaseResult.liveNodes.rawValue], "the last callback reports the result's live change")
                return result
            }
        }
        for layout in Self.layouts {
            let symbol = GeneratedCodeABI.allocateSymbol(shapeIndex: 0, layout: layout.rawValue)
            let prepare = unsafeBitCast(try #require(dlsym(handle, GeneratedCodeABI.threadedPrepareSymbol(allocateSymbol: symbol))),
                                        to: GeneratedCodeABI.ThreadedPrepareEntry.self)
            let slice = unsafeBitCast(try #require(dlsym(handle, GeneratedCodeABI.threadedSliceSymbol(allocateSymbol: symbol))),
                                      to: GeneratedCodeABI.ThreadedSliceEntry.self)
            let finish = unsafeBitCast(try #require(dlsym(handle, GeneratedCodeABI.threadedFinishSymbol(allocateSymbol: symbol))),
                                       to: GeneratedCodeABI.ThreadedFinishEntry.self)
            let heap = layout != .structArray && layout != .columns
            let live = GeneratedCodeABI.PhaseResult.liveNodes.rawValue
            let trial = prepare(11)
            #expect(run(slice, trial, GeneratedCodeABI.threadedAllocateCode, halves: false).map { $0[live] } == [6, 5], "\(layout)")
            let traverse = run(slice, trial, try #require(PhaseSpec.Kind.traverse.generatedCode), halves: false)
            #expect(traverse.allSatisfy { $0[live] == 0 && $0[GeneratedCodeABI.PhaseResult.checksum.rawValue] != 0 }, "\(layout)")
            let freeHalf = run(slice, trial, try #require(PhaseSpec.Kind.freeHalf.generatedCode), halves: true)
            #expect(freeHalf.map { $0[live] } == (heap ? [-3, -2] : [0, 0]), "\(layout): the odd nodes of each slice")
            let freeAll = try #require(PhaseSpec.Kind.freeAll.generatedCode)
            let all = run(slice, trial, freeAll, halves: false)
            #expect(all.map { $0[live] } == (heap ? [-3, -3] : [-11, 0]), "\(layout): every node left, once")
            finish(trial, freeAll)
            Unmanaged<AnyObject>.fromOpaque(trial).release()
        }
    }
}
