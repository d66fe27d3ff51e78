import ArgumentParser
import Foundation
import LayoutLabRunner

struct Slurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write (and with --submit, submit) a Slurm job array that runs an experiment in shards, then merges.",
        discussion: """
            Task K of the array runs `layoutlab run FILE --shard K/N` alone on its node (exclusive); a second job, \
            after the array, merges the shard folders and writes the report. The lab must be built where every \
            node can run it (a shared file system).
            """ + CommandExamples.slurm)

    @Argument(help: "The experiment file.", completion: .file(extensions: ["json"]))
    var file: String

    @Option(help: "Number of shards (array tasks).")
    var shards: Int

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Slurm time limit per task (e.g. 02:00:00).")
    var time: String?

    @Option(help: "Folder for the scripts, shard folders, logs and the merged result (default: results/<experiment>/slurm-<UTC time>).", completion: .directory)
    var out: String?

    @Flag(help: "Submit with sbatch instead of only writing the scripts.")
    var submit = false

    /// This command again with --submit and the same folder, so that following the hint submits these scripts.
    func submitCommand(out: String) -> String {
        var words = ["layoutlab", "slurm", file, "--shards", String(shards)]
        if let partition { words += ["--partition", partition] }
        if let time { words += ["--time", time] }
        words += ["--out", out, "--submit"]
        return words.map(SlurmScript.shellWord).joined(separator: " ")
    }

    func validate() throws {
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1, got \(shards)") }
    }

    func run() throws {
        let experiment = try loadExperiments([file])[0]
        let out = URL(fileURLWithPath: self.out ?? "results/\(experiment.name)/slurm-\(SuiteRunner.folderTimestamp())").standardizedFileURL
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let script = SlurmScript(
            experimentFile: URL(fileURLWithPath: file).standardizedFileURL.path, shards: shards, partition: partition,
            timeLimit: time, layoutlab: executable, outputDirectory: out.path)
        let written = try script.write()
        print("array script: \(written.array.path)")
        print("merge script: \(written.merge.path)")
        if submit {
            let ids = try step(endingWith: .failure) { try SlurmScript.submit(array: written.array, merge: written.merge) }
            print("submitted: array job \(ids.array), merge job \(ids.merge) (after the array)")
            print("merged result, when done: \(out.appendingPathComponent("merged").path)")
        } else {
            print("submit with: \(submitCommand(out: out.path))")
            print("or: sbatch \(written.array.path), then sbatch --dependency=afterany:<array id> \(written.merge.path)")
        }
    }
}
