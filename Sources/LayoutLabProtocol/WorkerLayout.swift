/// What a worker builds, with the fields each kind of worker needs and no others: a generated Swift layout
/// (the Swift worker loads its entry point from the layout library) or a Python layout (the Python worker
/// writes the node type itself from the layout's name and the shape's fields).
package enum WorkerLayout: Equatable, Sendable {
    /// `--library PATH --symbol NAME`: the generated layout library (a shared object) and the allocate entry
    /// point of one shape × layout in it (`GeneratedCodeABI.allocateSymbol`).
    case generated(libraryPath: String, entrySymbol: String)
    /// `--python-layout NAME --python-fields a:int64;name:string[uniform(8,40)]`: a Python layout
    /// (`python-slots-class`) and the shape's fields in order.
    case python(layout: String, fields: [PythonField])
    /// `--trace PATH`: replay the allocation trace at PATH (`TraceFormat`) under the preloaded allocator, instead of
    /// building nodes (the Swift worker; `nodes` is then unused).
    case trace(path: String)
    /// `--program-argv …` (`ProgramLaunch`): start a real program and sample it from outside, the worker being its
    /// monitor (it runs without the allocator; the program gets it). `nodes` and the probe are then unused.
    case program(ProgramLaunch)

    /// One field of a Python layout's node: its attribute name and its whole lab type token (`Field.typeToken`:
    /// `int64`, `reference`, `bytes[40]`, `string[uniform(8,40)]`, `array<int64>[10]`), which the Python worker
    /// parses. A token holds no `:` or `;`, so the request's `name:type;…` list needs no quoting.
    package struct PythonField: Equatable, Sendable {
        package var name: String
        package var type: String

        package init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// The request arguments that say which layout.
    var arguments: [String] {
        switch self {
        case .generated(let libraryPath, let entrySymbol):
            ["--library", libraryPath, "--symbol", entrySymbol]
        case .python(let layout, let fields):
            ["--python-layout", layout, "--python-fields", fields.map { "\($0.name):\($0.type)" }.joined(separator: ";")]
        case .trace(let path):
            ["--trace", path]
        case .program(let launch):
            launch.arguments
        }
    }

    /// Takes the layout's arguments out of `values` (`--key` → value): a trace with `--trace`, a Python layout when
    /// `--python-layout` is given, a program with `--program-argv`, else a generated one.
    init(taking values: inout [String: String]) throws(WorkerProtocolError) {
        func take(_ key: String) throws(WorkerProtocolError) -> String {
            guard let value = values.removeValue(forKey: key) else { throw .malformed("missing \(key)") }
            return value
        }
        if let path = values.removeValue(forKey: "--trace") {
            self = .trace(path: path)
            return
        }
        if values["--program-argv"] != nil {
            self = .program(try ProgramLaunch(taking: &values))
            return
        }
        guard let layout = values.removeValue(forKey: "--python-layout") else {
            self = .generated(libraryPath: try take("--library"), entrySymbol: try take("--symbol"))
            return
        }
        var fields: [PythonField] = []
        for item in try take("--python-fields").split(separator: ";") {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformed("--python-fields: expected name:type, got \(item)")
            }
            fields.append(PythonField(name: String(parts[0]), type: String(parts[1])))
        }
        guard !fields.isEmpty else { throw .malformed("--python-fields names no field") }
        self = .python(layout: layout, fields: fields)
    }
}
