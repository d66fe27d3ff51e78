/// One entry of an experiment's `"traces"`: an allocation trace (`layoutlab record`) replayed in the worker under
/// every allocator. `file` is as written in the experiment (relative to the experiment file's folder), `path` the
/// file it names. `events` (the trace's event count) and `sha256` are facts of the file, read where the experiment
/// runs (`HostRequirement.trace`) and restored from a results folder's `environment.json` where it is read; nil
/// where neither happened (an experiment parsed alone).
public struct TraceSource: Equatable, Hashable, Sendable {
    public var name: String
    public var file: String
    public var path: String
    public var events: Int?
    /// The trace file's sha256 (hex), which a resume compares with the folder's.
    public var sha256: String?

    public init(name: String, file: String, path: String, events: Int? = nil, sha256: String? = nil) {
        self.name = name
        self.file = file
        self.path = path
        self.events = events
        self.sha256 = sha256
    }
}
