import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabResults

/// `environment.json`'s `status` is a `RunStatus`; the JSON text is what it was as a string.
@Suite("Run status")
struct RunStatusTests {
    @Test func statusKeepsItsJSONText() throws {
        for (status, text) in [(RunStatus.running, "running"), (.complete, "complete"), (.incomplete, "incomplete")] {
            #expect(String(decoding: try JSONEncoder().encode([status]), as: UTF8.self) == "[\"\(text)\"]")
            #expect(try JSONDecoder().decode([RunStatus].self, from: Data("[\"\(text)\"]".utf8)) == [status])
        }
        let fixture = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture", withExtension: nil))
        #expect(EnvironmentReader(directory: fixture).record?.status == .complete)
    }
}
