/// What taking the lab lock cost one start of a run (`environment.json`, `lab_lock`: one entry per start and
/// per `--resume`).
public struct LabLockWait: Codable, Sendable, Equatable {
    public var path: String
    public var acquiredUtc: String
    /// Seconds from the first attempt to holding the lock (0.0… when it was free).
    public var waitedSeconds: Double
    /// The holders seen while waiting, in order, each a running process; empty when the lock was free.
    public var holdersSeen: [LabLockHolder]
    /// True when, while waiting, the lock file named nobody running (a holder that had not written its name,
    /// or could not); nil otherwise.
    public var unknownHolderSeen: Bool? = nil
    /// Why this run could not write its name into the lock file (nil when it did): waiters saw an unknown holder.
    public var nameNotWritten: String? = nil

    package init(
        path: String, acquiredUtc: String, waitedSeconds: Double, holdersSeen: [LabLockHolder],
        unknownHolderSeen: Bool? = nil, nameNotWritten: String? = nil
    ) {
        self.path = path
        self.acquiredUtc = acquiredUtc
        self.waitedSeconds = waitedSeconds
        self.holdersSeen = holdersSeen
        self.unknownHolderSeen = unknownHolderSeen
        self.nameNotWritten = nameNotWritten
    }
}
