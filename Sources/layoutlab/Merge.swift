import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabResults

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the results folders of a sharded run into one.",
        discussion: """
            Refuses folders of different experiment files (sha256), overlapping shards or trials, and missing \
            shards unless --allow-partial; says when the shards ran on different machines (compare them with \
            `layoutlab compare DIR --by host`).
            """ + CommandExamples.merge)

    @Argument(help: "The shard folders.", completion: .directory)
    var directories: [String]

    @Option(help: "The merged results folder.", completion: .directory)
    var out: String

    @Flag(help: "Merge even when shards are missing (the result is marked incomplete).")
    var allowPartial = false

    func run() throws {
        // Every refusal, and a merged folder that cannot be written, is bad input (exit 2).
        let outcome = try step(endingWith: .badInput) {
            try ResultsMerger.merge(directories.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out), allowPartial: allowPartial)
        }
        for note in outcome.notes { FileHandle.standardError.write(Data("layoutlab: \(note)\n".utf8)) }
        print(RunSummary.render(outcome.folder.run))
        print("merged: \(outcome.folder.directory.path) (\(outcome.folder.records.count) trials)")
    }
}
