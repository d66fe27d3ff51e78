import Foundation
@testable import LayoutLabModel
@testable import LayoutLabRunner
import Testing

/// The Python worker draws every node's lengths and contents itself: these tests hold its draw to NodeDraw (the
/// one description), node by node, for each kind of length, and its field values to what NodeDraw says they hold.
@Suite("Python worker's field draw, against NodeDraw")
struct PythonFieldDrawTests {
    /// A seed with high bits set, so that the worker's 64-bit masking is exercised.
    static let seed: UInt64 = 0xDEAD_BEEF_CAFE_BABE
    static let nodes = 4000

    /// Imports python_worker.py and prints, for field `argv[2]` (a `name:token`) at position `argv[3]`, one line
    /// per node `i` of `0..<argv[5]`: the length and content offset it draws, then (for the first 300 nodes)
    /// the value its builder makes, as text (`repr` of str/bytes letters, list elements joined by commas).
    static let probe = """
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
        worker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(worker)
        field = worker.parse_field(sys.argv[2])
        seed, position, count = int(sys.argv[4]), int(sys.argv[3]), int(sys.argv[5])
        draw = worker.node_draw(field, seed, position)
        build = worker.field_builder(field, seed, position, count)
        for i in range(count):
            length, offset = draw(i)
            value = build(i) if i < 300 else None
            if isinstance(value, bytes):
                text = "b:" + value.decode()
            elif isinstance(value, str):
                text = "s:" + value
            elif isinstance(value, list):
                text = "l:" + ",".join(repr(v) for v in value)
            else:
                text = "-"
            print(length, offset, text)
        """

    static func pythonDraw(_ token: String, position: Int, nodes: Int = nodes) throws -> [(length: Int, offset: Int, value: String)] {
        let script = try #require(PythonInterpreter.workerScript, "python_worker.py is a resource of the lab")
        let result = try TestSupport.runTool(
            "/usr/bin/env", ["python3", "-c", probe, script.path, "f:\(token)", String(position), String(seed), String(nodes)])
        try #require(result.status == 0, "\(result.stdout) \(result.stderr)")
        return result.stdout.split(separator: "\n").map { line in
            let cells = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return (Int(cells[0]) ?? -1, Int(cells[1]) ?? -1, cells.count > 2 ? cells[2] : "")
        }
    }

    static let letters = Array("abcdefghijklmnopqrstuvwxyz")

    static let lengths: [FieldLength] = [
        .fixed(40), .uniform(lower: 8, upper: 40), .uniform(lower: 0, upper: 1),
        .lognormal(median: 20, sigma: 0.6, max: 400), .lognormal(median: 50, sigma: 1.5, max: 120),
        .choice([.init(length: 8, weight: 0.7), .init(length: 120, weight: 0.3)]),
        .choice([.init(length: 1, weight: 0.1), .init(length: 2, weight: 0.2), .init(length: 3, weight: 0.7)]),
    ]

    /// Every node's length and content offset equal NodeDraw's, for each kind of length, at two field positions;
    /// a string's text runs from its offset through the alphabet.
    @Test(arguments: lengths)
    func stringLengthsAndContentsAreNodeDraws(_ length: FieldLength) throws {
        for position in [0, 3] {
            let drawn = try Self.pythonDraw("string[\(length.token)]", position: position)
            try #require(drawn.count == Self.nodes)
            var mismatches = 0
            for (i, node) in drawn.enumerated() {
                let expected = NodeDraw.length(length, seed: Self.seed, fieldIndex: position, node: i)
                let offset = NodeDraw.contentOffset(seed: Self.seed, fieldIndex: position, node: i)
                if node.length != expected || node.offset != offset {
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("\(length.token) node \(i): python (\(node.length), \(node.offset)), NodeDraw (\(expected), \(offset))") }
                }
                if i < 300 {
                    let text = String((0..<expected).map { Self.letters[(offset + $0) % 26] })
                    #expect(node.value == "s:" + text, "\(length.token) node \(i): the text starts at letter \(offset)")
                }
            }
            #expect(mismatches == 0, "\(length.token) at position \(position): \(mismatches) of \(Self.nodes) nodes differ")
        }
    }

    /// A log-normal's tail reaches its cap and a choice draws each option about as often as its weight says:
    /// the draw is not degenerate (a constant length would also agree with itself).
    @Test func drawsSpreadAsTheirDistributionsSay() throws {
        let capped = try Self.pythonDraw("string[lognormal(50.0,1.5,120)]", position: 1)
        #expect(capped.contains { $0.length == 120 } && capped.contains { $0.length < 20 })
        let choice = try Self.pythonDraw("bytes[choice(8@0.7,120@0.3)]", position: 2)
        let short = Double(choice.filter { $0.length == 8 }.count) / Double(choice.count)
        #expect(abs(short - 0.7) < 0.03, "choice(8@0.7,120@0.3) drew 8 for \(short) of the nodes")
        #expect(Set(choice.map(\.length)) == [8, 120])
    }

    /// bytes hold the same letters; an array's element j is i + j in its element type (int8 wraps, float and
    /// double are floats, bool the low bit).
    @Test func bytesAndArrayValuesAreWhatNodeDrawSays() throws {
        let bytes = try Self.pythonDraw("bytes[40]", position: 2, nodes: 300)
        for (i, node) in bytes.enumerated() {
            let offset = NodeDraw.contentOffset(seed: Self.seed, fieldIndex: 2, node: i)
            #expect(node.value == "b:" + String((0..<40).map { Self.letters[(offset + $0) % 26] }), "bytes node \(i)")
        }
        let cases: [(element: String, render: (Int) -> String)] = [
            ("int64", { String($0) }), ("int8", { String(Int8(truncatingIfNeeded: $0)) }), ("uint8", { String(UInt8(truncatingIfNeeded: $0)) }),
            ("double", { String(Double($0)) }), ("float", { String(Double(Float($0))) }), ("bool", { $0 & 1 == 1 ? "True" : "False" }),
        ]
        for (element, render) in cases {
            let length = FieldLength.uniform(lower: 0, upper: 200)
            let drawn = try Self.pythonDraw("array<\(element)>[\(length.token)]", position: 1, nodes: 300)
            for (i, node) in drawn.enumerated() {
                let count = NodeDraw.length(length, seed: Self.seed, fieldIndex: 1, node: i)
                #expect(node.value == "l:" + (0..<count).map { render(i + $0) }.joined(separator: ","), "array<\(element)> node \(i)")
            }
        }
    }
}
