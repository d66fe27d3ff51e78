import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabCodegen
@testable import LayoutLabRunner

/// `"exclusivity"`: the generated code is compiled with the compiler's run-time exclusivity checks
/// (`checked`, the default) or without them, the library is cached apart, and the run records the flags.
@Suite("Exclusivity checking of the generated code", .serialized)
struct ExclusivityTests {
    static let point = Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])

    @Test func flagsAndCacheKeys() {
        #expect(LayoutLibraryBuilder.compilerFlags(exclusivity: .checked) == LayoutLibraryBuilder.compilerFlags)
        #expect(LayoutLibraryBuilder.compilerFlags(exclusivity: .unchecked).last == "-enforce-exclusivity=unchecked")
        let keys = ExclusivityChecking.allCases.map {
            LayoutLibraryBuilder.cacheKey(source: "s", compilerVersion: "v", flags: LayoutLibraryBuilder.compilerFlags(exclusivity: $0))
        }
        #expect(Set(keys).count == 2)
    }

    /// The `class` layout's phase code calls `swift_beginAccess` when checked and never when unchecked.
    @Test func uncheckedLibraryMakesNoAccessChecks() throws {
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc())
        let builder = LayoutLibraryBuilder(swiftc: swiftc, cacheDirectory: try TestSupport.temporaryDirectory("exclusivity-cache"))
        let source = LayoutSourceGenerator().source(shapes: [Self.point], layouts: [.openClass])
        var imports: [ExclusivityChecking: Bool] = [:]
        for exclusivity in ExclusivityChecking.allCases {
            let library = try builder.library(for: source, flags: LayoutLibraryBuilder.compilerFlags(exclusivity: exclusivity))
            let symbols = try TestSupport.runTool("/usr/bin/env", ["nm", "-D", "--undefined-only", library.path])
            try #require(symbols.status == 0, "nm: \(symbols.stderr)")
            imports[exclusivity] = symbols.stdout.contains("swift_beginAccess")
        }
        #expect(imports[.checked] == true)
        #expect(imports[.unchecked] == false)
    }

    @Test func experimentKeyIsParsedAndRecorded() throws {
        let directory = try TestSupport.temporaryDirectory("exclusivity")
        let file = directory.appendingPathComponent("x.json")
        try """
            { "name": "x", "layouts": ["class"], "exclusivity": "unchecked",
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [1000], "checkpoints": 2, "probe_nodes": 0, "phases": ["allocate", "traverse"] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let experiment = try ExperimentLoader.checkingThisHost.load(path: file.path)
        #expect(experiment.exclusivity == .unchecked)
        let out = directory.appendingPathComponent("results")
        let runs = try SuiteRunner(options: try TestSupport.runOptions(out: out)).run([experiment])
        #expect(runs.first?.failedTrials == 0)
        let environment = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("environment.json"))) as? [String: Any]
        let toolchain = environment?["toolchain"] as? [String: Any]
        #expect((toolchain?["generated_code_flags"] as? [String])?.contains("-enforce-exclusivity=unchecked") == true, "\(toolchain ?? [:])")

        try experimentWithoutKeyIsChecked(directory)
    }

    func experimentWithoutKeyIsChecked(_ directory: URL) throws {
        let file = directory.appendingPathComponent("y.json")
        try """
            { "name": "y", "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ], "nodes": [10] }
            """.write(to: file, atomically: true, encoding: .utf8)
        #expect(try ExperimentLoader.checkingThisHost.load(path: file.path).exclusivity == .checked)
    }
}
