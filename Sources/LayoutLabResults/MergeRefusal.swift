import LayoutLabModel

/// Why `layoutlab merge` refuses its shard folders; nothing is written.
public enum MergeRefusal: LabError, Equatable {
    case noFolders
    /// The folders ran different experiment files: each folder with its experiment.json's size and FNV-1a.
    case differentExperiments([FolderFact])
    /// The folders are shards of different counts: each folder with its shard (`2/3`).
    case differentShardCounts([FolderFact])
    case overlappingShards(String, String, shard: String)
    /// Shards (`2/3`) no folder holds, without `--allow-partial`.
    case missingShards([String])
    case trialInTwoFolders(trialID: String, String, String)

    /// One folder and what it says about itself.
    public struct FolderFact: Equatable, Sendable {
        public var folder: String
        public var fact: String
        public init(folder: String, fact: String) {
            self.folder = folder
            self.fact = fact
        }
    }

    public var exitStatus: LabExitStatus { .badInput }

    public var message: String {
        switch self {
        case .noFolders: "name the shard folders to merge"
        case .differentExperiments(let folders):
            "refusing to merge folders of different experiment files:\n"
                + folders.map { "  \($0.folder): experiment.json \($0.fact)" }.joined(separator: "\n")
        case .differentShardCounts(let folders):
            "refusing to merge shards of different counts: " + folders.map { "\($0.folder) is \($0.fact)" }.joined(separator: ", ")
        case .overlappingShards(let earlier, let later, let shard):
            "refusing to merge overlapping shards: \(earlier) and \(later) are both shard \(shard)"
        case .missingShards(let shards): "shard(s) \(shards.joined(separator: ", ")) missing; merge them too, or pass --allow-partial"
        case .trialInTwoFolders(let trialID, let first, let second):
            "refusing to merge: trial \(trialID) is in both \(first) and \(second)"
        }
    }
}
