/// A line of an allocator agent's report that is not one the agent writes: its number (1-based), its text,
/// and what was expected.
package struct AgentReportError: Error, Equatable, Sendable, CustomStringConvertible {
    package var line: Int
    package var text: String
    package var expected: String

    package init(line: Int, text: String, expected: String) {
        self.line = line
        self.text = text
        self.expected = expected
    }

    package var description: String { "allocator agent report, line \(line) \"\(text)\": expected \(expected)" }
}
