/// The run cannot go on (missing worker, compiler failure, unwritable results folder).
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
