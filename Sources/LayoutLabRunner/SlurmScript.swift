import Foundation
import LayoutLabHost
import LayoutLabModel

/// Writes the Slurm batch scripts of a sharded suite: a job array whose task K runs shard K/N on a node of its
/// own (exclusive), and a merge job that runs after the array (whatever became of its tasks), merges the shard
/// folders and draws the report. Slurm is the engine; the lab only writes its scripts.
public struct SlurmScript: Sendable {
    public var experimentFile: String
    public var shards: Int
    public var partition: String?
    public var timeLimit: String?
    /// The lab's built executable (`layoutlab`), which must be reachable from every node.
    public var layoutlab: String
    public var outputDirectory: String

    public init(experimentFile: String, shards: Int, partition: String?, timeLimit: String?, layoutlab: String, outputDirectory: String) {
        self.experimentFile = experimentFile
        self.shards = shards
        self.partition = partition
        self.timeLimit = timeLimit
        self.layoutlab = layoutlab
        self.outputDirectory = outputDirectory
    }

    private var common: String {
        var lines = ["#SBATCH --nodes=1"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let timeLimit { lines.append("#SBATCH --time=\(timeLimit)") }
        return lines.joined(separator: "\n")
    }

    /// The job array: one shard per task, each alone on its node (trials disturb each other's RSS and timing).
    public var arrayScript: String {
        """
        #!/bin/bash
        # LayoutLab: \(shards) shards of \(experimentFile), one per array task. Written by `layoutlab slurm`.
        #SBATCH --job-name=layoutlab-shards
        #SBATCH --array=1-\(shards)
        #SBATCH --exclusive
        \(common)
        #SBATCH --output=\(outputDirectory)/slurm-%A_%a.log
        set -euo pipefail
        exec \(quoted(layoutlab)) run \(quoted(experimentFile)) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" \\
            --out \(quoted(outputDirectory))/shard-"${SLURM_ARRAY_TASK_ID}" --quiet

        """
    }

    /// The merge job (submitted with `--dependency=afterany:<array job>`).
    public var mergeScript: String {
        let shardFolders = (1...shards).map { "\(quoted(outputDirectory))/shard-\($0)" }.joined(separator: " ")
        return """
            #!/bin/bash
            # LayoutLab: merge the \(shards) shards of \(experimentFile) and report. Written by `layoutlab slurm`.
            #SBATCH --job-name=layoutlab-merge
            \(common)
            #SBATCH --output=\(outputDirectory)/slurm-merge-%j.log
            set -euo pipefail
            \(quoted(layoutlab)) merge \(shardFolders) --out \(quoted(outputDirectory))/merged
            if command -v gnuplot >/dev/null; then
                \(quoted(layoutlab)) report \(quoted(outputDirectory))/merged
            else
                \(quoted(layoutlab)) report \(quoted(outputDirectory))/merged --no-charts
            fi

            """
    }

    /// Writes both scripts into the output folder; returns their paths.
    public func write() throws -> (array: URL, merge: URL) {
        let directory = URL(fileURLWithPath: outputDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let array = directory.appendingPathComponent("shards.sbatch"), merge = directory.appendingPathComponent("merge.sbatch")
        try AtomicFile.write(arrayScript, to: array)
        try AtomicFile.write(mergeScript, to: merge)
        return (array, merge)
    }

    /// Submits the array, then the merge after it; returns both job ids.
    public static func submit(array: URL, merge: URL) throws -> (array: String, merge: String) {
        guard let arrayID = ExternalCommand.output(["sbatch", "--parsable", array.path])?.split(separator: ";").first.map(String.init) else {
            throw HostError.sbatchRefused(script: array.path, first: true)
        }
        guard let mergeID = ExternalCommand.output(["sbatch", "--parsable", "--dependency=afterany:\(arrayID)", merge.path])?
            .split(separator: ";").first.map(String.init)
        else { throw HostError.sbatchRefused(script: merge.path, first: false) }
        return (arrayID, mergeID)
    }

    private func quoted(_ text: String) -> String { "'" + text.replacing("'", with: "'\\''") + "'" }

    /// A word for a command line a user pastes into a shell: as it is when it holds only safe characters,
    /// else in single quotes.
    public static func shellWord(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,")
        return !text.isEmpty && text.allSatisfy(safe.contains) ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
