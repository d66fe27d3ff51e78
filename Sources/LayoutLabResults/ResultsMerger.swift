import Foundation
import LayoutLabModel

/// Merges the results folders of a sharded run into one. Refuses folders of different experiment files
/// (their `experiment.json` compared byte for byte), shards of different counts, overlapping shards or trials, and
/// missing shards (unless `allowPartial`); says when shards ran on different machines, and records each
/// source folder with its host in `environment.json` (`merged_from`), so machines can be compared
/// (`layoutlab compare DIR --by host`).
public enum ResultsMerger {
    public struct Outcome {
        public var folder: ResultsFolder
        /// Things the user must know, such as shards from different machines.
        public var notes: [String]
    }

    public static func merge(_ directories: [URL], into out: URL, allowPartial: Bool) throws -> Outcome {
        guard !directories.isEmpty else { throw MergeRefusal.noFolders }
        let folders = try directories.map { try ResultsFolder.open($0) }
        let environments = directories.map { EnvironmentReader(directory: $0).record }
        // The experiment files compared byte for byte, in this process: no host tool is started, and a file
        // that cannot be read refuses the merge instead of passing as equal to another unreadable one.
        let copies = try directories.map { directory in
            let file = directory.appendingPathComponent(ResultsFolder.experimentFile)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw ResultsFolderError.notAResultsFolder(directory: directory.path, lacking: ResultsFolder.experimentFile)
            }
            return [UInt8](data)
        }
        if Set(copies).count > 1 {
            throw MergeRefusal.differentExperiments(zip(directories, copies).map {
                .init(folder: $0.0.path, fact: "\($0.1.count) bytes, FNV-1a \(String(TrialJournal.fnv1a($0.1[...]), radix: 16))")
            })
        }
        let shards = environments.map { $0?.shard ?? Shard(index: 1, count: 1) }
        let counts = Set(shards.map(\.count))
        guard counts.count == 1, let count = counts.first else {
            throw MergeRefusal.differentShardCounts(zip(directories, shards).map { .init(folder: $0.0.path, fact: "\($0.1)") })
        }
        var seen: [Int: URL] = [:]
        for (directory, shard) in zip(directories, shards) {
            if let earlier = seen[shard.index] {
                throw MergeRefusal.overlappingShards(earlier.path, directory.path, shard: "\(shard)")
            }
            seen[shard.index] = directory
        }
        let missing = (1...count).filter { seen[$0] == nil }
        if !missing.isEmpty, !allowPartial {
            throw MergeRefusal.missingShards(missing.map { "\($0)/\(count)" })
        }
        var owner: [String: URL] = [:]
        for (directory, folder) in zip(directories, folders) {
            for id in folder.finishedTrialIDs {
                if let other = owner[id] { throw MergeRefusal.trialInTwoFolders(trialID: id, other.path, directory.path) }
                owner[id] = directory
            }
        }

        var notes: [String] = []
        let machines = zip(directories, environments).map { directory, environment in
            (directory, environment.map { "\($0.machine.hostname) (\($0.machine.cpuModel ?? "CPU unknown"), \($0.machine.kernel))" } ?? "unknown machine")
        }
        if Set(machines.map(\.1)).count > 1 {
            notes.append("the shards ran on different machines; compare them with `layoutlab compare DIR --by host`:\n"
                + machines.map { "  \($0.0.path): \($0.1)" }.joined(separator: "\n"))
        }
        if !missing.isEmpty { notes.append("partial merge: shard(s) \(missing.map(String.init).joined(separator: ", ")) of \(count) missing") }

        let merged = try ResultsFolder(creating: out, experiment: folders[0].experiment)
        for folder in folders { try merged.absorb(folder) }
        let source = directories[0].appendingPathComponent(ResultsFolder.generatedSourceFile)
        if FileManager.default.fileExists(atPath: source.path) {
            try AtomicFile.write(try Data(contentsOf: source), to: merged.url(ResultsFolder.generatedSourceFile))
        }
        if var environment = environments.compactMap({ $0 }).first {
            environment.shard = nil
            environment.status = environments.allSatisfy({ $0?.status == .complete }) && missing.isEmpty ? .complete : .incomplete
            environment.mergedFrom = zip(directories, zip(shards, environments)).map { directory, pair in
                MergedShard(
                    directory: directory.path, shard: pair.0, hostname: pair.1?.machine.hostname ?? "unknown",
                    cpuModel: pair.1?.machine.cpuModel, kernel: pair.1?.machine.kernel ?? "unknown", status: pair.1?.status ?? .unknown)
            }
            try environment.write(to: merged.url(ResultsFolder.environmentFile))
        }
        return Outcome(folder: merged, notes: notes)
    }
}
