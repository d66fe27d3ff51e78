import Foundation
@testable import LayoutLabModel
@testable import LayoutLabRunner
import Testing

/// Every Python layout takes bytes, string and array fields: it builds them, a traversal reads them and mutate
/// writes a list's elements in place while leaving str and bytes alone (python_worker.py, imported as a module).
@Suite("Python layouts with bytes, string and array fields")
struct PythonFieldLayoutTests {
    /// For each layout: the node's field types, visit before and after mutate, a list's identity kept, the
    /// str's identity kept, and the bad-token message. Node 300 of `id int64, name string[12], tag bytes[5],
    /// scores array<int64>[3], weights array<double>[2], flags array<bool>[2]`.
    static let probe = """
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
        worker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(worker)
        fields = worker.parse_fields("id:int64;name:string[12];tag:bytes[5];scores:array<int64>[3];weights:array<double>[2];flags:array<bool>[2]")
        for layout in ["python-dict-class", "python-slots-class", "python-dataclass-slots", "python-tuple", "python-namedtuple"]:
            space = worker.layout_namespace(layout, fields, 1, 400)
            node = space["make"](300, [])
            values = list(node) if isinstance(node, tuple) else [getattr(node, f.name) for f in fields]
            before = space["visit"](node)
            after, same_list, same_name, scores = "-", "-", "-", "-"
            if space["mutate"] is not None:
                scores_list, name = values[3], values[1]
                space["mutate"](node)
                after = space["visit"](node)
                same_list, same_name = node.scores is scores_list, node.name is name
                scores = ",".join(map(str, node.scores)) + "|" + ",".join(map(str, node.weights)) + "|" + ",".join(map(str, node.flags))
            print(layout, ",".join(type(v).__name__ for v in values), before, after, same_list, same_name, scores)
        """

    @Test func everyLayoutBuildsReadsAndWritesTheNewFields() throws {
        let script = try #require(PythonInterpreter.workerScript)
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", Self.probe, script.path])
        try #require(result.status == 0, "\(result.stdout) \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        try #require(lines.count == 5, "\(result.stdout)")
        // visit: id (i + 1000) + len(name) + len(tag) + sum(scores) + len(weights) + len(flags).
        let visited = (300 + 1000) + 12 + 5 + (300 + 301 + 302) + 2 + 2
        for cells in lines {
            #expect(cells[1] == "int,str,bytes,list,list,list", "\(cells[0]) holds int, str, bytes and lists: \(cells[1])")
            #expect(cells[2] == String(visited), "\(cells[0]): visit reads \(cells[2])")
            if cells[0] == "python-tuple" || cells[0] == "python-namedtuple" {
                #expect(cells[3] == "-", "\(cells[0]) cannot be written")
                continue
            }
            // mutate: id + 1, each score + 1 in the same list, weights + 1.0, flags toggled; the str untouched.
            #expect(cells[3] == String(visited + 1 + 3), "\(cells[0]): after mutate visit reads \(cells[3])")
            #expect(cells[4] == "True" && cells[5] == "True", "\(cells[0]): the list is written in place, the str left alone")
            #expect(cells[6] == "301,302,303|301.0,302.0|True,False", "\(cells[0]): \(cells[6])")
        }
    }

    /// A token the worker cannot read fails the trial with a message naming the field and what was expected.
    @Test(arguments: [
        ("x:string", "a string field needs a length"), ("x:array<reference>[3]", "an array's element must be one of"),
        ("x:bytes[uniform(9,3)]", "lower bound above its upper bound"), ("x:string[zipf(2)]", "expected uniform(a,b)"),
        ("x:array<int8>[200000]", "hold at most 131072 elements"),
    ])
    func badTokensAreClearErrors(_ token: String, _ message: String) throws {
        let script = try #require(PythonInterpreter.workerScript)
        let program = """
            import importlib.util, sys
            spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
            worker = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(worker)
            worker.parse_fields(sys.argv[2])
            """
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", program, script.path, token])
        #expect(result.status != 0)
        #expect(result.stdout.hasPrefix("failure\tbad request: --python-fields field 'x': ") && result.stdout.contains(message), "\(result.stdout)")
    }
}
