import Foundation
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabHost
@testable import LayoutLabRunner
import Testing

/// The Python worker cannot import Swift, so it keeps its own copy of the sample fields: these tests hold the
/// copy to `MemorySample.Field`, name by name, and decode the worker's own `sample` lines with the Swift reader.
@Suite("Python worker protocol, against the Swift field list")
struct PythonWorkerProtocolTests {
    /// Imports python_worker.py (its `main` runs only as a script) and prints its sample fields, its required
    /// fields, and the `sample` lines its `Sampler.replies` writes for two stored samples: one with every
    /// figure set (field k holds 1000 + k) and one with only the required figures.
    static let probe = """
        import importlib.util, sys, array
        spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
        worker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(worker)
        print("\\t".join(worker.SAMPLE_FIELDS))
        print("\\t".join(worker.REQUIRED_SAMPLE_FIELDS))
        sampler = object.__new__(worker.Sampler)
        width = len(worker.SAMPLE_FIELDS)
        sampler.store = array.array("q", [1000 + k for k in range(width)] + [-1] * width)
        for name in worker.REQUIRED_SAMPLE_FIELDS:
            sampler.store[width + worker.SAMPLE_FIELDS.index(name)] = 7
        sampler.phase_of = array.array("q", [0, 1])
        sampler.count = 2
        print("\\n".join(sampler.replies()))
        """

    static func pythonWorkerOutput() throws -> [String] {
        let script = try #require(PythonInterpreter.workerScript, "python_worker.py is a resource of the lab")
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", probe, script.path])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func sampleFieldsAreTheSwiftFieldsInTheSameOrder() throws {
        let lines = try Self.pythonWorkerOutput()
        try #require(lines.count == 4, "\(lines)")
        let python = lines[0].split(separator: "\t").map(String.init)
        let swift = MemorySample.Field.allCases.map(\.column)
        #expect(python == swift, "python_worker.py SAMPLE_FIELDS differs from MemorySample.Field")
        let required = Set(lines[1].split(separator: "\t").map(String.init))
        #expect(required == Set(MemorySample.Field.allCases.filter(\.isRequired).map(\.column)))
    }

    @Test func sampleLinesDecodeFieldByName() throws {
        let lines = try Self.pythonWorkerOutput()
        try #require(lines.count == 4, "\(lines)")
        let python = lines[0].split(separator: "\t").map(String.init)
        guard case .sample(let phase, let full) = try WorkerReply(line: lines[2]) else {
            Issue.record("not a sample line: \(lines[2])")
            return
        }
        #expect(phase == 0)
        for field in MemorySample.Field.allCases {
            let position = try #require(python.firstIndex(of: field.column), "\(field.column) missing in python_worker.py")
            #expect(full[field] == 1000 + position, "\(field.column)")
        }
        guard case .sample(1, let sparse) = try WorkerReply(line: lines[3]) else {
            Issue.record("not a sample line of phase 1: \(lines[3])")
            return
        }
        for field in MemorySample.Field.allCases {
            #expect(sparse[field] == (field.isRequired ? 7 : nil), "\(field.column): an unread figure is an empty field")
        }
    }
}
