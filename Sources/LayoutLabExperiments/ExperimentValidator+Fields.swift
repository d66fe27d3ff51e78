import LayoutLabModel

/// Shapes, fields and their lengths: scalars, `bytes`, `string` and `array` fields, length distributions and sweeps.
extension ExperimentValidator {
    /// The most shapes one sweep may expand into.
    static let maximumSweepMembers = 4096

    /// The shape at `path`, or its sweep's members (`<name>-<length>`), in order.
    mutating func shapes(_ value: JSONValue, at path: String) -> [Shape] {
        guard let fields = object(value, at: path, allowed: ["name", "fields"], required: ["name", "fields"]) else { return [] }
        let name = fields["name"].flatMap { identifier($0, at: path + ".name", pattern: .fileName) }
        var members: [(field: Field, sweep: [Int]?, path: String)] = []
        if let list = fields["fields"] {
            for (item, itemPath) in items(list, at: path + ".fields") {
                if let parsed = field(item, at: itemPath) { members.append((parsed.field, parsed.sweep, itemPath)) }
            }
        }
        duplicates(members.map { ($0.field.name, $0.path + ".name") }, what: "field")
        let swept = members.enumerated().filter { $0.element.sweep != nil }
        for extra in swept.dropFirst() {
            report(extra.element.path + ".length", "expected at most one swept field per shape (the first is at \(swept[0].element.path))")
        }
        // The members of a bytes sweep share one run-time-sized implementation that tail-allocates the buffer
        // after the other fields (LayoutSourceGenerator+Sweeps), which is the same memory as a compiled shape
        // only when the buffer comes last.
        if let bytes = swept.first, bytes.element.field.type == .bytes, bytes.offset != members.count - 1 {
            report(bytes.element.path + ".length", "expected a swept bytes field to be the shape's last field (a sweep's nodes are sized at run time, the buffer after the other fields); move \"\(bytes.element.field.name)\" after \"\(members[members.count - 1].field.name)\"")
        }
        guard let name, !members.isEmpty, swept.count <= 1,
              swept.first.map({ $0.element.field.type != .bytes || $0.offset == members.count - 1 }) ?? true
        else { return [] }
        let fieldList = members.map(\.field)
        guard let sweep = swept.first, let lengths = sweep.element.sweep else { return [Shape(name: name, fields: fieldList)] }
        return lengths.map { length in
            var memberFields = fieldList
            memberFields[sweep.offset].length = .fixed(length)
            return Shape(name: "\(name)-\(length)", fields: memberFields,
                         sweep: ShapeSweep(family: name, fieldIndex: sweep.offset, length: length))
        }
    }

    /// A field, with the lengths of its sweep when its length is `{"from", "to", "step"}`.
    private mutating func field(_ value: JSONValue, at path: String) -> (field: Field, sweep: [Int]?)? {
        guard let fields = object(value, at: path, allowed: ["name", "type", "length", "element"], required: ["name", "type"]) else {
            return nil
        }
        let name = fields["name"].flatMap { identifier($0, at: path + ".name", pattern: .swiftIdentifier) }
        let type = fields["type"].flatMap { choice($0, at: path + ".type", from: FieldType.self) }
        guard let name, let type else { return nil }
        var element: FieldType?
        if let value = fields["element"] {
            if type != .array {
                report(path + ".element", "expected no element: only an array field has one (this field is \(type.rawValue))")
            } else if let chosen = choice(value, at: path + ".element", from: FieldType.self) {
                if FieldType.scalars.contains(chosen) { element = chosen } else {
                    report(path + ".element", "expected a scalar element type (\(FieldType.scalars.map(\.rawValue).joined(separator: ", "))), got \"\(chosen.rawValue)\"")
                }
            }
        } else if type == .array {
            report(path, "missing required key \"element\" (an array field says what it holds, for example \"int64\")")
        }
        guard type.hasLength else {
            if fields["length"] != nil {
                report(path + ".length", "expected no length: only bytes, string and array fields have one (this field is \(type.rawValue))")
            }
            return (Field(name: name, type: type), nil)
        }
        guard let lengthValue = fields["length"] else {
            report(path, "missing required key \"length\" (a \(type.rawValue) field says how many \(Self.unit(of: type)) each node holds)")
            return nil
        }
        guard let (length, sweep) = self.length(lengthValue, at: path + ".length", of: type) else { return nil }
        guard type != .array || element != nil else { return nil }
        return (Field(name: name, type: type, length: length, element: element), sweep)
    }

    private static func unit(of type: FieldType) -> String {
        switch type {
        case .bytes: "bytes"
        case .string: "ASCII characters"
        default: "elements"
        }
    }

    /// A length: a count, a distribution (`uniform`, `lognormal`, `choice`) or a sweep (`from`, `to`, `step`).
    private mutating func length(_ value: JSONValue, at path: String, of type: FieldType) -> (FieldLength, [Int]?)? {
        let cap = FieldLength.maximumLength(of: type)
        let smallest = type == .bytes ? 1 : 0
        let what = "a length in \(Self.unit(of: type))"
        if case .integer = value {
            return integer(value, at: path, in: smallest...cap, what: what).map { (.fixed($0), nil) }
        }
        guard case .object(let entries) = value else {
            report(path, "expected \(what) (an integer from \(smallest) to \(cap)), a distribution ({\"uniform\": [a, b]}, {\"lognormal\": {...}}, {\"choice\": [[length, weight], ...]}) or a sweep ({\"from\", \"to\", \"step\"}), got \(value.summary)")
            return nil
        }
        let distributions = ["uniform", "lognormal", "choice"]
        if entries.keys.contains(where: { ["from", "to", "step"].contains($0) }) {
            guard type == .bytes || type == .string else {
                report(path, "expected a count or a distribution: only bytes and string fields can be swept")
                return nil
            }
            guard let fields = object(value, at: path, allowed: ["from", "to", "step"], required: ["from", "to", "step"]),
                let from = fields["from"].flatMap({ integer($0, at: path + ".from", in: smallest...cap, what: what) }),
                let to = fields["to"].flatMap({ integer($0, at: path + ".to", in: smallest...cap, what: what) }),
                let step = fields["step"].flatMap({ integer($0, at: path + ".step", in: 1...cap, what: "a step of at least 1") })
            else { return nil }
            guard from <= to else {
                report(path + ".to", "expected \"to\" at least \"from\" (\(from)), got \(to)")
                return nil
            }
            let lengths = Array(stride(from: from, through: to, by: step))
            guard lengths.count <= Self.maximumSweepMembers else {
                report(path + ".step", "expected a sweep of at most \(Self.maximumSweepMembers) lengths, got \(lengths.count) (from \(from) to \(to) by \(step)); take a larger step")
                return nil
            }
            return (.fixed(lengths[0]), lengths)
        }
        guard entries.count == 1, let kind = entries.keys.first, distributions.contains(kind) else {
            let keys = entries.keys.sorted()
            let unknown = keys.first { !distributions.contains($0) } ?? keys.last ?? ""
            report(entries.count == 1 ? path + "." + unknown : path,
                   entries.count == 1
                       ? "unknown length \"\(unknown)\"\(Suggestion.hint(for: unknown, among: distributions + ["from"])); expected one of uniform, lognormal, choice, or from/to/step for a sweep"
                       : "expected exactly one of uniform, lognormal, choice (or from/to/step for a sweep), got \(keys.joined(separator: ", "))")
            return nil
        }
        guard type != .bytes else {
            report(path + "." + kind, "expected a count or a sweep: a bytes field is an inline buffer, the same size in every node; use a string or an array field for lengths that vary")
            return nil
        }
        let body = entries[kind] ?? .null
        let inner = path + "." + kind
        switch kind {
        case "uniform":
            guard case .array(let bounds) = body, bounds.count == 2 else {
                report(inner, "expected [lowest, highest], two lengths, got \(body.summary)")
                return nil
            }
            guard let lower = integer(bounds[0], at: inner + "[0]", in: smallest...cap, what: what),
                let upper = integer(bounds[1], at: inner + "[1]", in: smallest...cap, what: what)
            else { return nil }
            guard lower <= upper else {
                report(inner + "[1]", "expected the highest length at least the lowest (\(lower)), got \(upper)")
                return nil
            }
            return (.uniform(lower: lower, upper: upper), nil)
        case "lognormal":
            guard let fields = object(body, at: inner, allowed: ["median", "sigma", "max"], required: ["median", "sigma", "max"]),
                let median = fields["median"].flatMap({ positive($0, at: inner + ".median", upTo: Double(cap), what: "a median length") }),
                let sigma = fields["sigma"].flatMap({ positive($0, at: inner + ".sigma", upTo: 4, what: "a shape sigma") }),
                let max = fields["max"].flatMap({ integer($0, at: inner + ".max", in: 1...cap, what: "a largest length") })
            else { return nil }
            guard median <= Double(max) else {
                report(inner + ".max", "expected max at least the median (\(median)), got \(max)")
                return nil
            }
            return (.lognormal(median: median, sigma: sigma, max: max), nil)
        default:
            guard case .array(let options) = body, !options.isEmpty else {
                report(inner, "expected a non-empty list of [length, weight] pairs, got \(body.summary)")
                return nil
            }
            var weighted: [FieldLength.Weighted] = []
            for (index, option) in options.enumerated() {
                let optionPath = "\(inner)[\(index)]"
                guard case .array(let pair) = option, pair.count == 2 else {
                    report(optionPath, "expected a [length, weight] pair, got \(option.summary)")
                    continue
                }
                if let length = integer(pair[0], at: optionPath + "[0]", in: smallest...cap, what: what),
                    let weight = positive(pair[1], at: optionPath + "[1]", upTo: 1, what: "a weight")
                {
                    weighted.append(FieldLength.Weighted(length: length, weight: weight))
                }
            }
            guard weighted.count == options.count else { return nil }
            let sum = weighted.reduce(0) { $0 + $1.weight }
            guard abs(sum - 1) <= 1e-9 else {
                report(inner, "expected weights that sum to 1, got \(sum) (\(weighted.map { String($0.weight) }.joined(separator: " + ")))")
                return nil
            }
            duplicates(weighted.enumerated().map { (String($1.length), "\(inner)[\($0)][0]") }, what: "length")
            return (.choice(weighted), nil)
        }
    }

    /// A number in (0, `upTo`]; integers are taken as numbers.
    private mutating func positive(_ value: JSONValue, at path: String, upTo limit: Double, what: String) -> Double? {
        let number: Double
        switch value {
        case .integer(let whole): number = Double(whole)
        case .number(let real): number = real
        default:
            report(path, "expected \(what) (a number above 0, at most \(limit)), got \(value.summary)")
            return nil
        }
        guard number > 0, number <= limit, number.isFinite else {
            report(path, "expected \(what) above 0 and at most \(limit), got \(number)")
            return nil
        }
        return number
    }
}
