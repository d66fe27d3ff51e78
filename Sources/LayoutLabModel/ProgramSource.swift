/// One entry of an experiment's `"programs"`: a real program run as the trial under every allocator, the worker
/// being its monitor. `cwd` is as written (relative to the experiment file's folder; nil: that folder),
/// `workingDirectory` the absolute directory it names; `environment` is set over the lab's environment for the
/// program only; after `timeoutSeconds` the program's process group is killed and the trial is `timeout`.
public struct ProgramSource: Equatable, Hashable, Sendable {
    public var name: String
    public var command: [String]
    public var cwd: String?
    public var workingDirectory: String
    public var environment: [String: String]
    public var timeoutSeconds: Int

    /// `timeout_seconds` when the entry gives none.
    public static let defaultTimeoutSeconds = 600

    public init(
        name: String, command: [String], cwd: String? = nil, workingDirectory: String, environment: [String: String] = [:],
        timeoutSeconds: Int = ProgramSource.defaultTimeoutSeconds
    ) {
        self.name = name
        self.command = command
        self.cwd = cwd
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
    }
}
