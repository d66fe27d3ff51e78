import LayoutLabModel
import LayoutLabProtocol

/// Walks a parsed experiment file, building the `Experiment` and recording every problem with its path.
/// It reads nothing but the document: what the file asks of the machine (allocator libraries, a Python
/// interpreter, valgrind) is recorded in `requirements`, which `ExperimentHostCheck` checks on this host.
struct ExperimentValidator {
    let file: String
    /// The experiment file that relative paths in it (`"traces"` files) are read beside: `file`, or for a results
    /// folder's copy of an experiment the file it was copied from.
    let relativeBase: String
    private(set) var problems: [ExperimentProblem] = []
    var requirements: [HostRequirement] = []

    init(file: String, relativeBase: String? = nil) {
        self.file = file
        self.relativeBase = relativeBase ?? file
    }

    static let topLevelKeys = [
        "$schema", "name", "description", "layouts", "shapes", "nodes", "allocators", "repetitions",
        "checkpoints", "sampling", "probe_nodes", "trial_timeout_seconds", "phases", "seed", "python", "precision",
        "exclusivity", "instructions", "rerun_disturbed", "threads", "python_gc_freeze", "traces",
        "programs", "sample_interval_ms", "allocator_sample_interval_ms",
    ]

    /// The most threads a trial may use (`"threads"`).
    static let maximumThreads = 256

    mutating func experiment(from document: JSONValue) -> Experiment? {
        let isTraceOrProgramExperiment = if case .object(let fields) = document { fields["traces"] != nil || fields["programs"] != nil } else { false }
        guard let top = object(
            document, at: "$", allowed: Self.topLevelKeys, required: isTraceOrProgramExperiment ? ["name"] : ["name", "shapes", "nodes"])
        else { return nil }
        let programs = top["programs"].map { programSources($0, top: top) }
        // Beside programs, "traces" is refused by programSources.
        let traces = programs == nil ? top["traces"].map { traceSources($0, top: top) } : nil
        let sampleInterval = top["sample_interval_ms"].flatMap {
            integer($0, at: "$.sample_interval_ms", in: 1...60_000, what: "a sampling interval in ms")
        }
        if top["sample_interval_ms"] != nil, programs == nil {
            report("$.sample_interval_ms", "expected \"sample_interval_ms\" only beside \"programs\" (node and trace trials are sampled at \"checkpoints\")")
        }
        let allocatorSampleInterval = top["allocator_sample_interval_ms"].flatMap {
            integer($0, at: "$.allocator_sample_interval_ms", in: 1...60_000, what: "the allocator agent's interval in ms")
        }
        if top["allocator_sample_interval_ms"] != nil, programs == nil {
            report(
                "$.allocator_sample_interval_ms",
                "expected \"allocator_sample_interval_ms\" only beside \"programs\" (node and trace trials read the allocator's figures at every checkpoint)")
        }
        let name = top["name"].flatMap { identifier($0, at: "$.name", pattern: .fileName) }
        let description = top["description"].flatMap { string($0, at: "$.description") } ?? ""
        let layouts = top["layouts"].map { items($0, at: "$.layouts").compactMap { v, p in choice(v, at: p, from: LayoutKind.self).map { ($0, p) } } }
            ?? LayoutKind.swiftLayouts.map { ($0, "$.layouts") }
        let shapes = top["shapes"].map { items($0, at: "$.shapes").flatMap { v, p in self.shapes(v, at: p).map { ($0, p) } } } ?? []
        let nodes = top["nodes"].map {
            items($0, at: "$.nodes").compactMap { v, p in
                integer(v, at: p, in: 1...ExperimentLoader.maximumNodes, what: "a node count").map { ($0, p) }
            }
        } ?? []
        let allocators = top["allocators"].map { items($0, at: "$.allocators").flatMap { v, p in allocatorEntries(v, at: p).map { ($0, p) } } }
            ?? [(AllocatorSpec.system, "$.allocators")]
        let repetitions = top["repetitions"].flatMap { integer($0, at: "$.repetitions", in: 1...1000, what: "a repetition count") } ?? 1
        let checkpoints = top["checkpoints"].flatMap {
            integer($0, at: "$.checkpoints", in: 1...100_000, what: "a number of samples per phase")
        } ?? Experiment.defaultCheckpoints
        let probeNodes = top["probe_nodes"].flatMap {
            integer($0, at: "$.probe_nodes", in: 0...10_000_000, what: "a number of probe nodes (0 turns the probe off)")
        } ?? Experiment.defaultProbeNodes
        if layouts.contains(where: { $0.0.isPython }) || top["python"] != nil {
            let interpreters = top["python"].map { pythonEntries($0) } ?? [.init(request: "python3", jsonPath: "$.layouts")]
            requirements.append(.python(
                interpreters: interpreters, layouts: layouts.map { HostRequirement.PlacedLayout(layout: $0.0, jsonPath: $0.1) }))
        }
        if layouts.contains(where: { $0.0.isPython }) {
            for (shape, path) in shapes {
                for (index, field) in shape.fields.enumerated() {
                    if let reason = Self.pythonNameProblem(field.name, namedtuple: layouts.contains { $0.0 == .pythonNamedtuple }) {
                        report("\(path).fields[\(index)].name", "expected a field name Python accepts as an attribute, got \"\(field.name)\": \(reason)")
                    }
                }
            }
        }
        let timeout = top["trial_timeout_seconds"].flatMap {
            integer($0, at: "$.trial_timeout_seconds", in: 1...604_800, what: "a timeout in seconds")
        }
        let threads = top["threads"].map { value in
            items(value, at: "$.threads").compactMap { v, p in
                integer(v, at: p, in: 1...Self.maximumThreads, what: "a number of threads").map { ($0, p) }
            }
        }
        if let threads, threads.isEmpty, case .array = top["threads"] {
            report("$.threads", "expected at least one thread count, for example [1, 2, 4]")
        }
        let phases = top["phases"].map { phaseList($0, threaded: top["threads"] != nil) } ?? [PhaseSpec(.allocate)]
        let gcFreeze = top["python_gc_freeze"].flatMap { flag($0, at: "$.python_gc_freeze") } ?? false
        if gcFreeze, !phases.contains(where: { $0.kind == .fork }) {
            report("$.python_gc_freeze", "expected a \"fork\" phase: gc.freeze() is called just before forking, and there is none")
        }
        let precision = top["precision"].flatMap { precisionTarget($0, repetitions: repetitions) }
        let seed = top["seed"].flatMap { integer($0, at: "$.seed", in: 0...Int.max, what: "a seed") }.map(UInt64.init) ?? 1
        let exclusivity = top["exclusivity"].flatMap { choice($0, at: "$.exclusivity", from: ExclusivityChecking.self) } ?? .checked
        var smaps = SamplingSchedule.boundaries
        var allocatorSchedule: SamplingSchedule?
        if let sampling = top["sampling"],
            let fields = object(sampling, at: "$.sampling", allowed: ["smaps_rollup", "allocator"], required: [])
        {
            smaps = fields["smaps_rollup"].flatMap { choice($0, at: "$.sampling.smaps_rollup", from: SamplingSchedule.self) } ?? smaps
            allocatorSchedule = fields["allocator"].flatMap { choice($0, at: "$.sampling.allocator", from: SamplingSchedule.self) }
        }
        let instructions = top["instructions"].flatMap { choice($0, at: "$.instructions", from: InstructionCounting.self) }
            ?? .hardware
        let rerunDisturbed = top["rerun_disturbed"].flatMap {
            integer($0, at: "$.rerun_disturbed", in: 0...Experiment.maximumRerunsOfDisturbed, what: "a number of reruns of a disturbed trial")
        } ?? 0
        if instructions == .valgrind { requirements.append(.valgrind(jsonPath: "$.instructions")) }
        duplicates(shapes.map { ($0.0.name, $0.1 + ".name") }, what: "shape")
        duplicates(allocators.map { ($0.0.name, $0.1) }, what: "allocator")
        duplicates(layouts.map { ($0.0.rawValue, $0.1) }, what: "layout")
        duplicates(nodes.map { (String($0.0), $0.1) }, what: "node count")
        duplicates((threads ?? []).map { (String($0.0), $0.1) }, what: "thread count")
        if let most = threads?.map(\.0).max() {
            for (count, path) in nodes where count < 2 * most {
                report(path, "expected at least \(2 * most) nodes with \(most) threads (each thread's slice starts at an even node and holds at least two), got \(count)")
            }
        }
        if top["threads"] != nil {
            // Tail-allocated nodes and byte columns have no threaded entry points in the generated code.
            var reported = Set<String>()
            for (shape, path) in shapes where shape.sweep.map({ shape.fields[$0.fieldIndex].type == .bytes }) ?? false {
                guard reported.insert(path).inserted else { continue }
                report(path, "threads with a swept bytes shape is not supported (its nodes are sized at run time); run \"\(shape.sweep?.family ?? shape.name)\" without \"threads\"")
            }
        }
        guard let name, problems.isEmpty else { return nil }
        var experiment = Experiment(
            name: name, description: description, layouts: layouts.map(\.0), shapes: shapes.map(\.0),
            nodes: nodes.map(\.0), allocators: allocators.map(\.0), repetitions: repetitions, checkpoints: checkpoints, smaps: smaps,
            probeNodes: probeNodes, phases: phases, seed: seed, trialTimeoutSeconds: timeout.map(Double.init),
            sourcePath: file)
        experiment.allocatorSchedule = allocatorSchedule
        experiment.precision = precision
        experiment.exclusivity = exclusivity
        experiment.instructions = instructions
        experiment.rerunDisturbed = rerunDisturbed
        experiment.threads = threads.map { $0.map(\.0) }
        experiment.pythonGCFreeze = gcFreeze
        if let traces {
            experiment.traces = traces
            experiment.layouts = []
        }
        if let programs {
            experiment.programs = programs
            experiment.layouts = []
            experiment.sampleIntervalMs = sampleInterval ?? Experiment.defaultSampleIntervalMs
            experiment.allocatorSampleIntervalMs = allocatorSampleInterval
        }
        return experiment
    }

    // MARK: Parts

    /// Python's keywords (3.11), which cannot name an attribute.
    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    /// Why Python layouts cannot use `name` for a field, or nil.
    static func pythonNameProblem(_ name: String, namedtuple: Bool) -> String? {
        if pythonKeywords.contains(name) { return "it is a Python keyword" }
        if name == "self" { return "the generated __init__ already has a parameter self" }
        if namedtuple, name.hasPrefix("_") { return "namedtuple field names cannot start with an underscore" }
        return nil
    }

    /// `phases`: names, or objects with parameters; `allocate` first and only once; after `free-all` nothing
    /// but `purge` and `allocate-warm` (there are no nodes left to work on), which builds them again and
    /// only there.
    private mutating func phaseList(_ value: JSONValue, threaded: Bool) -> [PhaseSpec] {
        let parsed = items(value, at: "$.phases").compactMap { v, p in phase(v, at: p).map { ($0, p) } }
        for (index, (spec, path)) in parsed.enumerated() {
            if spec.kind == .fork, threaded {
                report(path, "expected no \"threads\" with a \"fork\" phase: a forked child has one thread, and a pool's threads would not follow it (run threads and fork as two experiments)")
            }
            if spec.kind == .remoteFree, !threaded {
                report(path, "expected \"threads\" (for example \"threads\": [1, 2, 4]) for \"remote-free\": it frees each node on another thread than the one that built it")
            }
            if index == 0, spec.kind != .allocate {
                report(path, "expected \"allocate\" first (the other phases work on the nodes it builds), got \"\(spec.kind.rawValue)\": write [\"allocate\", \"\(spec.kind.rawValue)\", ...]")
            }
            if index > 0, spec.kind == .allocate { report(path, "expected \"allocate\" only as the first phase") }
            // The last phase that built or freed every node says whether nodes are alive here.
            let lastBuildOrFree = parsed[..<index].last { [.allocate, .allocateWarm, .freeAll, .remoteFree].contains($0.0.kind) }
            if spec.kind == .idle, threaded {
                report(path, "expected no \"threads\" with an \"idle\" phase (it runs in the classic trial only, for now)")
            }
            if let freeAll = lastBuildOrFree, freeAll.0.kind.freesEveryNode, spec.kind != .purge, spec.kind != .allocateWarm, spec.kind != .idle {
                report(path, "expected only \"purge\", \"idle\" or \"allocate-warm\" after \"\(freeAll.0.kind.rawValue)\" (at \(freeAll.1)): no nodes are left, got \"\(spec.kind.rawValue)\"")
            }
            if spec.kind == .allocateWarm, lastBuildOrFree?.0.kind.freesEveryNode != true {
                report(path, "expected \"allocate-warm\" only after \"free-all\" (it rebuilds the nodes on memory they used), got it while nodes are alive")
            }
        }
        return parsed.map(\.0)
    }

    private mutating func phase(_ value: JSONValue, at path: String) -> PhaseSpec? {
        if case .string = value { return choice(value, at: path, from: PhaseSpec.Kind.self).map { PhaseSpec($0) } }
        guard let fields = object(value, at: path, allowed: ["phase", "order", "rounds", "fraction", "children", "work", "seconds"], required: ["phase"]) else {
            return nil
        }
        guard let kind = fields["phase"].flatMap({ choice($0, at: path + ".phase", from: PhaseSpec.Kind.self) }) else { return nil }
        var spec = PhaseSpec(kind)
        if let order = fields["order"] {
            if spec.hasOrder {
                spec.order = choice(order, at: path + ".order", from: PhaseSpec.Order.self) ?? spec.order
            } else {
                report(path + ".order", "expected no order: only traverse, mutate and fork take one (\(kind.rawValue) does not)")
            }
        }
        for key in ["children", "work"] where fields[key] != nil && kind != .fork {
            report(path + "." + key, "expected no \(key): only fork takes one (\(kind.rawValue) does not)")
        }
        if fields["seconds"] != nil, kind != .idle {
            report(path + ".seconds", "expected no seconds: only idle takes them (\(kind.rawValue) does not)")
        }
        if kind == .idle, let seconds = fields["seconds"] {
            let number: Double? = switch seconds {
            case .number(let value): value
            case .integer(let value): Double(value)
            default: nil
            }
            if let number, number > 0, number <= PhaseSpec.maximumIdleSeconds {
                spec.seconds = number
            } else {
                report(path + ".seconds", "expected seconds to sleep, above 0 and at most \(Int(PhaseSpec.maximumIdleSeconds)), got \(seconds.summary)")
            }
        }
        if kind == .fork {
            spec.children = fields["children"].flatMap {
                integer($0, at: path + ".children", in: 1...PhaseSpec.maximumChildren, what: "a number of child processes")
            } ?? spec.children
            spec.work = fields["work"].flatMap { choice($0, at: path + ".work", from: PhaseSpec.ForkWork.self) } ?? spec.work
        }
        for key in ["rounds", "fraction"] where fields[key] != nil && kind != .churn {
            report(path + "." + key, "expected no \(key): only churn takes one (\(kind.rawValue) does not)")
        }
        if kind == .churn {
            spec.rounds = fields["rounds"].flatMap { integer($0, at: path + ".rounds", in: 1...1000, what: "a number of rounds") } ?? spec.rounds
            if let fraction = fields["fraction"] {
                let number: Double? = switch fraction {
                case .number(let value): value
                case .integer(let value): Double(value)
                default: nil
                }
                if let number, number > 0, number <= 1 {
                    spec.fraction = number
                } else {
                    report(path + ".fraction", "expected a fraction of the nodes, above 0 and at most 1, got \(fraction.summary)")
                }
            }
        }
        return spec
    }

    /// An allocator entry: one allocator, or with a `"grid"` one per combination of its options (`AllocatorGrid`).
    private mutating func allocatorEntries(_ value: JSONValue, at path: String) -> [AllocatorSpec] {
        guard let base = allocator(value, at: path) else { return [] }
        guard case .object(let fields) = value, let grid = fields["grid"] else { return [base] }
        return allocatorGrid(grid, at: path + ".grid", base: base)
    }

    /// `"grid": {"MALLOC_CONF": {"narenas": [1, 4], "tcache": [true, false]}, "MIMALLOC_PURGE_DELAY": [0, 100]}`:
    /// every combination of the values, each an allocator of its own (`AllocatorGrid.expand`).
    private mutating func allocatorGrid(_ value: JSONValue, at path: String, base: AllocatorSpec) -> [AllocatorSpec] {
        guard let variables = object(value, at: path, allowed: nil, required: []) else { return [] }
        if variables.isEmpty { report(path, "expected at least one variable to vary, for example {\"MALLOC_CONF\": {\"narenas\": [1, 4]}}") }
        var axes: [AllocatorGrid.Axis] = []
        for variable in variables.keys.sorted() {
            let at = path + "." + variable
            if variable == "LD_PRELOAD" {
                report(at, "expected an allocator setting, got \(variable) (the library is preloaded from \"library\")")
                continue
            }
            switch variables[variable] ?? .null {
            case .object(let options):
                guard let separators = AllocatorGrid.separators[variable] else {
                    report(at, "expected a list of values: only \(AllocatorGrid.separators.keys.sorted().joined(separator: " and ")) take options, \(variable) is one variable")
                    continue
                }
                if options.isEmpty { report(at, "expected at least one option") }
                let given = AllocatorGrid.options(in: base.environment[variable] ?? "", separators: separators)
                for option in options.keys.sorted() {
                    if given.contains(option) {
                        report(at + "." + option, "expected each option once, got \(option) in \"env\".\(variable) and in the grid")
                        continue
                    }
                    let values = gridValues(options[option] ?? .null, at: at + "." + option)
                    if !values.isEmpty { axes.append(AllocatorGrid.Axis(variable: variable, option: option, values: values)) }
                }
            default:
                if base.environment[variable] != nil {
                    report(at, "expected each variable once, got \(variable) in \"env\" and in the grid")
                    continue
                }
                let values = gridValues(variables[variable] ?? .null, at: at)
                if !values.isEmpty { axes.append(AllocatorGrid.Axis(variable: variable, option: nil, values: values)) }
            }
        }
        let combinations = axes.reduce(1) { $0 * $1.values.count }
        guard combinations <= AllocatorGrid.maximumCombinations else {
            report(path, "expected at most \(AllocatorGrid.maximumCombinations) combinations, got \(combinations) (\(axes.map { "\($0.values.count)" }.joined(separator: " × "))): split the grid into entries of their own")
            return []
        }
        guard !axes.isEmpty else { return [] }
        let expanded = AllocatorGrid.expand(base, axes: axes)
        for spec in expanded where spec.name.count > 64 {
            report(path, "expected allocator names of at most 64 characters, and the grid names one \"\(spec.name)\" (\(spec.name.count)): shorten the entry's name or its values")
        }
        return expanded
    }

    /// A grid option's values: a non-empty list of strings, numbers or flags, each once, as the variable's text.
    private mutating func gridValues(_ value: JSONValue, at path: String) -> [String] {
        guard case .array(let elements) = value, !elements.isEmpty else {
            report(path, "expected a non-empty list of values, got \(value.summary)")
            return []
        }
        var values: [String] = []
        for (index, element) in elements.enumerated() {
            let text: String? = switch element {
            case .string(let text): text
            case .integer(let number): String(number)
            case .number(let number): String(number)
            case .bool(let flag): flag ? "true" : "false"
            default: nil
            }
            guard let text else {
                report("\(path)[\(index)]", "expected a string, a number or true/false, got \(element.summary)")
                continue
            }
            if values.contains(text) { report("\(path)[\(index)]", "expected each value once, got \(text) twice") }
            values.append(text)
        }
        return values
    }

    private mutating func allocator(_ value: JSONValue, at path: String) -> AllocatorSpec? {
        let builtInNames = AllocatorSpec.builtIns.map(\.name)
        if case .string(let name) = value {
            guard let spec = AllocatorSpec.builtIns.first(where: { $0.name == name }) else {
                report(path, "expected one of \(builtInNames.joined(separator: ", ")) or an object with \"name\" and \"library\", got \(value.summary)\(Suggestion.hint(for: name, among: builtInNames))")
                return nil
            }
            if spec.library != nil { requirements.append(.builtInAllocator(spec, jsonPath: path)) }
            return spec
        }
        guard let fields = object(value, at: path, allowed: ["name", "library", "env", "statistics", "grid"], required: ["name"]) else {
            return nil
        }
        // Without a library it is the C library's own malloc under an environment of its own (GLIBC_TUNABLES).
        if fields["library"] == nil, fields["env"] == nil {
            report(path, "expected a \"library\" to preload, an \"env\" to set, or both; got neither")
        }
        if fields["library"] == nil, case .object(let entries)? = fields["env"] {
            if entries.isEmpty {
                report(path + ".env", "expected at least one variable (without a library and an env this is the system allocator)")
            }
            if entries["LD_PRELOAD"] != nil {
                report(path + ".env.LD_PRELOAD", "expected the library to preload in \"library\", where the lab checks it serves malloc")
            }
        }
        let name = fields["name"].flatMap { identifier($0, at: path + ".name", pattern: .fileName) }
        if let name, builtInNames.contains(name) {
            report(path + ".name", "expected a name of your own, got the built-in allocator name \"\(name)\"")
        }
        let library = fields["library"].flatMap { string($0, at: path + ".library") }
        if let library { requirements.append(.allocatorLibrary(library, jsonPath: path + ".library")) }
        var environment: [String: String] = [:]
        if let env = fields["env"], let entries = object(env, at: path + ".env", allowed: nil, required: []) {
            for key in entries.keys.sorted() {
                if let text = string(entries[key] ?? .null, at: path + ".env." + key) { environment[key] = text }
            }
        }
        let statistics = fields["statistics"].flatMap { choice($0, at: path + ".statistics", from: AllocatorStatisticsSource.self) }
            ?? (fields["library"] == nil ? .mallinfo2 : AllocatorSpec.statistics(guessedFrom: library ?? ""))
        if fields["library"] == nil, ![.mallinfo2, .none].contains(statistics) {
            report(path + ".statistics", "expected mallinfo2 or none for the C library's own malloc (no library), got \(statistics.rawValue)")
        }
        guard let name, library != nil || fields["library"] == nil else { return nil }
        return AllocatorSpec(name: name, library: library, environment: environment, statistics: statistics)
    }

    // MARK: Primitives

    /// Records what the file asks of the machine (checked by `ExperimentHostCheck` where the experiment runs).
    mutating func require(_ requirement: HostRequirement) { requirements.append(requirement) }

    mutating func report(_ path: String, _ message: String) {
        problems.append(ExperimentProblem(file: file, jsonPath: path, message: message))
    }

    mutating func object(
        _ value: JSONValue, at path: String, allowed: [String]?, required: [String]
    ) -> [String: JSONValue]? {
        guard case .object(let fields) = value else {
            report(path, "expected an object, got \(value.summary)")
            return nil
        }
        if let allowed {
            for key in fields.keys.sorted() where !allowed.contains(key) {
                report(path + "." + key, "unknown key \"\(key)\"\(Suggestion.hint(for: key, among: allowed)); expected one of \(allowed.filter { $0 != "$schema" }.joined(separator: ", "))")
            }
        }
        for key in required where fields[key] == nil {
            report(path, "missing required key \"\(key)\"")
        }
        return fields
    }

    /// The elements of a non-empty list with their JSON paths; reports anything else.
    mutating func items(_ value: JSONValue, at path: String) -> [(value: JSONValue, path: String)] {
        guard case .array(let elements) = value else {
            report(path, "expected a list, got \(value.summary)")
            return []
        }
        if elements.isEmpty { report(path, "expected a non-empty list, got []") }
        return elements.enumerated().map { (value: $1, path: "\(path)[\($0)]") }
    }

    mutating func string(_ value: JSONValue, at path: String) -> String? {
        guard case .string(let text) = value else {
            report(path, "expected a string, got \(value.summary)")
            return nil
        }
        return text
    }

    enum NamePattern {
        /// Letters, digits, `.`, `_`, `-`, starting with a letter or digit: safe as a folder name.
        case fileName
        /// A Swift/Python identifier: a letter or `_`, then letters, digits or `_`.
        case swiftIdentifier

        func accepts(_ text: String) -> Bool {
            guard let first = text.unicodeScalars.first, text.utf8.count <= 64 else { return false }
            let isASCIILetter = { (c: Unicode.Scalar) in c.isASCII && c.properties.isAlphabetic }
            let isDigit = { (c: Unicode.Scalar) in c >= "0" && c <= "9" }
            switch self {
            case .fileName:
                return (isASCIILetter(first) || isDigit(first))
                    && text.unicodeScalars.allSatisfy { isASCIILetter($0) || isDigit($0) || "._-".unicodeScalars.contains($0) }
            case .swiftIdentifier:
                return (isASCIILetter(first) || first == "_")
                    && text.unicodeScalars.allSatisfy { isASCIILetter($0) || isDigit($0) || $0 == "_" }
            }
        }

        var expectation: String {
            switch self {
            case .fileName: "a name of letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)"
            case .swiftIdentifier: "an identifier (a letter or '_', then letters, digits or '_'; at most 64)"
            }
        }
    }

    mutating func identifier(_ value: JSONValue, at path: String, pattern: NamePattern) -> String? {
        guard let text = string(value, at: path) else { return nil }
        guard pattern.accepts(text) else {
            report(path, "expected \(pattern.expectation), got \(value.summary)")
            return nil
        }
        return text
    }

    mutating func flag(_ value: JSONValue, at path: String) -> Bool? {
        guard case .bool(let flag) = value else {
            report(path, "expected true or false, got \(value.summary)")
            return nil
        }
        return flag
    }

    mutating func integer(_ value: JSONValue, at path: String, in range: ClosedRange<Int>, what: String) -> Int? {
        guard case .integer(let number) = value else {
            report(path, "expected \(what) (an integer from \(range.lowerBound) to \(range.upperBound)), got \(value.summary)")
            return nil
        }
        guard range.contains(number) else {
            report(path, "expected \(what) from \(range.lowerBound) to \(range.upperBound), got \(number)")
            return nil
        }
        return number
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue, at path: String, from _: T.Type) -> T?
    where T.RawValue == String {
        let names = T.allCases.map(\.rawValue)
        guard case .string(let text) = value, let result = T(rawValue: text) else {
            let hint = if case .string(let text) = value { Suggestion.hint(for: text, among: names) } else { "" }
            report(path, "expected one of \(names.joined(separator: ", ")), got \(value.summary)\(hint)")
            return nil
        }
        return result
    }

    /// Reports every name seen before, at its own path, pointing back to the first.
    mutating func duplicates(_ named: [(name: String, path: String)], what: String) {
        var first: [String: String] = [:]
        for (name, path) in named {
            if let earlier = first[name] {
                report(path, "duplicate \(what) \"\(name)\" (first at \(earlier))")
            } else {
                first[name] = path
            }
        }
    }
}
