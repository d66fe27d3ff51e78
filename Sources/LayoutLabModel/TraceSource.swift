/// One entry of an experiment's `"traces"`: an allocation trace (`layoutlab record`) replayed in the worker under
/// every allocator. `file` is as written in the experiment (relative to the experiment file's folder), `path` the
/// file it names; `events` is the trace's event count, read when the experiment was validated.
public struct TraceSource: Equatable, Hashable, Sendable {
    public var name: String
    public var file: String
    public var path: String
    public var events: Int

    public init(name: String, file: String, path: String, events: Int) {
        self.name = name
        self.file = file
        self.path = path
        self.events = events
    }
}
