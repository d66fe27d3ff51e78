/// Where a run stands, as `environment.json` records it (`"status"`).
public enum RunStatus: String, Codable, Sendable, CustomStringConvertible {
    /// The runner is at work, or was killed before it could say otherwise.
    case running
    /// Every trial of the folder's slice was recorded.
    case complete
    /// Stopped early (`stop_reason` says by what), or a merge with shards missing or unfinished.
    case incomplete
    /// A merged folder's source that had no readable `environment.json` (`merged_from[].status` only).
    case unknown

    public var description: String { rawValue }
}
