/// Whether the generated layout code checks exclusive access at run time (`"exclusivity"` in an experiment).
/// Swift checks every access to a class's mutable stored properties that it cannot prove exclusive at compile
/// time, with a `swift_beginAccess` / `swift_endAccess` pair: `public var` properties of an `open` class
/// (the `class` layout) and a final class's `[String: Any]` (the `dict-class` layout) pay it on every read,
/// while a `final` class whose properties the compiler can see, value arrays and columns do not.
public enum ExclusivityChecking: String, Sendable, CaseIterable {
    /// The compiler's default, what a user's release build gets (`-enforce-exclusivity=checked`).
    case checked
    /// `-enforce-exclusivity=unchecked`: no run-time checks, to show what they cost.
    case unchecked

    /// The `swiftc` flags beyond the lab's own: none for the compiler's default.
    public var compilerFlags: [String] {
        switch self {
        case .checked: []
        case .unchecked: ["-enforce-exclusivity=unchecked"]
        }
    }
}
