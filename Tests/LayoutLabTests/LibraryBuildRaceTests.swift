import Foundation
import Testing

@testable import LayoutLabCodegen
@testable import LayoutLabModel

/// Two builds of the same generated library at once (two runs of the same shapes, or two tests) each compile a copy
/// of their own: once they shared `layouts.swift`, and one's atomic write replaced the file under the other's
/// compiler ("input file was modified during the build"), failing a CI run.
@Suite("Generated library: concurrent builds")
struct LibraryBuildRaceTests {
    @Test func fourBuildsOfOneLibraryAtOnceAllSucceed() throws {
        let cache = try TestSupport.temporaryDirectory("build-race")
        let shape = Shape(name: "race", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int32)])
        let source = LayoutSourceGenerator().source(shapes: [shape], layouts: [.finalClass, .structArray])
        let swiftc = try #require(LayoutLibraryBuilder.findSwiftc())
        let builder = LayoutLibraryBuilder(swiftc: swiftc, cacheDirectory: cache)
        let version = try builder.compilerVersion()
        let results = Mutex4()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            do {
                let library = try builder.library(for: source, compilerVersion: version)
                results.set(index, FileManager.default.fileExists(atPath: library.path) ? nil : "no library")
            } catch {
                results.set(index, "\(error)")
            }
        }
        #expect(results.values == [nil, nil, nil, nil], "\(results.values)")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.path).first)
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent(folder).path).sorted()
        #expect(left == ["layouts.swift", "liblayoutlab-generated.so"], "no copies or partial libraries left: \(left)")
    }
}

/// Four optional messages written from concurrent iterations.
final class Mutex4: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String?] = [nil, nil, nil, nil]
    func set(_ index: Int, _ value: String?) { lock.lock(); stored[index] = value; lock.unlock() }
    var values: [String?] { lock.lock(); defer { lock.unlock() }; return stored }
}
