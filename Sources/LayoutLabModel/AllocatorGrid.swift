/// A configuration grid of one allocator entry (`"grid"`): every combination of its settings becomes an allocator
/// of its own, with its full environment (recorded in `environment.json` like any allocator's) and a predictable
/// name: the entry's name, then `.<option>-<value>` for each setting in the order of the variables and options
/// (sorted), characters other than letters, digits, `.`, `_` and `-` in a value written as `_`. So
/// `{"name": "je", "grid": {"MALLOC_CONF": {"narenas": [1, 4], "tcache": [true, false]}}}` gives
/// `je.narenas-1.tcache-true` (`MALLOC_CONF=narenas:1,tcache:true`), `je.narenas-1.tcache-false`, `je.narenas-4.tcache-true`
/// and `je.narenas-4.tcache-false`.
public enum AllocatorGrid {
    /// Variables whose value is a list of options, with how an option and its value, and two options, are joined:
    /// jemalloc's `MALLOC_CONF=narenas:1,tcache:false`, glibc's `GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.tcache_count=0`.
    /// Any other variable (`MIMALLOC_PURGE_DELAY`, `TCMALLOC_RELEASE_RATE`) takes a list of values of its own.
    public static let separators: [String: (value: String, option: String)] = [
        "MALLOC_CONF": (":", ","), "GLIBC_TUNABLES": ("=", ":"),
    ]

    /// The most combinations one entry may expand into.
    public static let maximumCombinations = 64

    /// One setting that varies: an option of a composite variable (`MALLOC_CONF`'s `narenas`), or a variable of
    /// its own (`option` nil), and its values as text.
    public struct Axis: Equatable, Sendable {
        public var variable: String
        public var option: String?
        public var values: [String]

        public init(variable: String, option: String?, values: [String]) {
            self.variable = variable
            self.option = option
            self.values = values
        }
    }

    /// The option names already in a composite variable's value (`narenas:1,tcache:false` → narenas, tcache).
    public static func options(in value: String, separators: (value: String, option: String)) -> Set<String> {
        Set(value.split(separator: Character(separators.option)).compactMap { part in
            part.split(separator: Character(separators.value), maxSplits: 1).first.map(String.init)
        })
    }

    /// Every combination of `axes` applied to `base`, in order (the last axis varying fastest).
    public static func expand(_ base: AllocatorSpec, axes: [Axis]) -> [AllocatorSpec] {
        var specs = [base]
        for axis in axes {
            specs = specs.flatMap { spec in
                axis.values.map { value in
                    var next = spec
                    next.name += ".\(axis.option ?? axis.variable.lowercased())-\(safe(value))"
                    if let option = axis.option, let separators = separators[axis.variable] {
                        let setting = option + separators.value + value
                        let before = next.environment[axis.variable] ?? ""
                        next.environment[axis.variable] = before.isEmpty ? setting : before + separators.option + setting
                    } else {
                        next.environment[axis.variable] = value
                    }
                    return next
                }
            }
        }
        return specs
    }

    /// `value` with every character a name cannot hold written as `_`.
    static func safe(_ value: String) -> String {
        String(value.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}
