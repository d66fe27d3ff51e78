import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults
import LayoutLabTables

/// `report.md` of a results folder: how it was measured (machine, toolchain, lab commit, experiment file,
/// allocators, the command that reproduces it), the trials, the per-node table, the comparison with the first
/// allocator, the phases, and the charts — everything taken from the folder's own files.
package enum ReportWriter {
    package static let fileName = "report.md"

    @discardableResult
    package static func write(for folder: ResultsFolder, charts: [URL]) throws -> URL {
        let url = folder.url(fileName)
        try AtomicFile.write(render(folder, charts: charts), to: url)
        return url
    }

    package static func render(_ folder: ResultsFolder, charts: [URL]) -> String {
        let run = folder.run
        let experiment = folder.experiment
        let environment = EnvironmentReader(directory: folder.directory).record
        var text = "# LayoutLab report: \(experiment.name)\n\n"
        if !experiment.description.isEmpty { text += "\(experiment.description)\n\n" }

        text += "## How it was measured\n\n"
        if let environment {
            let machine = environment.machine
            text += "- Machine: \(machine.cpuModel ?? "CPU unknown"), \(machine.onlineCores) cores, \(machine.kernel), "
            text += "\(machine.memTotalBytes.map { "\($0 >> 30) GiB" } ?? "memory unknown"), page \(machine.pageSizeBytes) B, "
            text += "transparent huge pages `\(machine.transparentHugePages ?? "unknown")`, host `\(machine.hostname)`\n"
            text += "- Toolchain: \(environment.toolchain.swiftVersion?.split(separator: "\n").first.map(String.init) ?? "unknown"); "
            text += "generated layout code built with `swiftc \(environment.toolchain.generatedCodeFlags.joined(separator: " "))` "
            text += "(source: `\(ResultsFolder.generatedSourceFile)`); lab built in \(environment.toolchain.labBuildConfiguration) mode\n"
            text += "- Lab: commit `\(environment.lab.gitCommit ?? "unknown")`\(environment.lab.gitDirty == true ? " (with uncommitted changes)" : ""), "
            text += "command `\(environment.lab.commandLine.joined(separator: " "))`\n"
            text += "- Experiment file: `\(environment.experiment.path)`, sha256 `\(environment.experiment.sha256 ?? "unknown")` "
            text += "(copied as `\(ResultsFolder.experimentFile)`)\n"
            text += "- Run: started \(environment.startedUtc), finished \(environment.finishedUtc ?? "—"), status **\(environment.status)**"
            text += environment.stopReason.map { " (stopped by \($0))" } ?? ""
            text += resumedNote(environment)
            if let sources = environment.mergedFrom {
                text += "\n- Merged from \(sources.count) folders (the times and command above are the first one's): "
                text += sources.map { "`\($0.directory)` (shard \($0.shard?.description ?? "–"), \($0.hostname), \($0.status))" }.joined(separator: ", ")
            }
            if let shard = environment.shard { text += "\n- Shard \(shard) of the experiment's trials" }
            if let resumes = environment.resumedUtc, !resumes.isEmpty {
                text += "\n- Stopped and resumed: \(resumes.joined(separator: ", "))"
            }
            for wait in environment.labLock ?? [] where !wait.holdersSeen.isEmpty || wait.unknownHolderSeen == true {
                var holders = wait.holdersSeen.map(\.description).joined(separator: "; then ")
                if wait.unknownHolderSeen == true { holders += holders.isEmpty ? "an unknown holder" : "; at times an unknown holder" }
                text += "\n- Waited \(Rounded.text(wait.waitedSeconds)) s for the lab lock (held by \(holders))"
            }
            for mixed in environment.mixedBuilds ?? [] {
                text += "\n- **Mixed builds**: trials from row \(mixed.trialsBefore + 1) of `trials.csv` on were measured by another build "
                text += "(resumed \(mixed.resumedUtc) with --allow-mixed-builds): \(mixed.differences.joined(separator: "; "))"
            }
            for change in environment.labSourceChanges ?? [] {
                text += "\n- Resumed \(change.resumedUtc) from another lab source with byte-identical worker and runner "
                text += "(one build; trials from row \(change.trialsBefore + 1) on): \(change.differences.joined(separator: "; "))"
            }
            text += "\n\n| allocator | library | package | version | sha256 | environment | statistics |\n|---|---|---|---|---|---|---|\n"
            for allocator in environment.allocators {
                let settings = allocator.environment.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }.joined(separator: " ")
                text += "| \(allocator.name) | `\(allocator.libraryRealPath)` | \(allocator.debianPackage ?? "—") | \(allocator.packageVersion ?? "—") "
                text += "| `\(allocator.sha256.map { String($0.prefix(16)) } ?? "—")…` | \(settings.isEmpty ? "—" : settings) | \(allocator.statistics) |\n"
            }
        } else {
            text += "No `environment.json`: the machine and toolchain are unknown.\n"
        }
        text += "\nReproduce: `layoutlab run \(folder.url(ResultsFolder.experimentFile).path)`"
        if let commit = environment?.lab.gitCommit { text += " with the lab at commit `\(commit.prefix(12))`" }
        text += ". Definitions of every figure: the lab's README (\"What is measured, per node\").\n\n"

        let failed = run.records.filter { $0.status != .ok }
        text += "## Trials\n\n\(run.records.count) trials recorded (\(TrialPlan.trials(for: experiment).count) planned"
        text += experiment.precision == nil ? "); " : ", more where the precision target asked for them); "
        text += "\(run.records.count - failed.count) ok, \(failed.count) not.\n"
        if let precision = PrecisionSummary.render(run) { text += "\n" + precision.split(separator: "\n").map { "- " + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n") + "\n" }
        let disturbance = DisturbanceSummary.lines(run)
        if !disturbance.isEmpty {
            text += "\n" + disturbance.map { "- " + $0.replacing("|", with: "\\|") }.joined(separator: "\n")
            text += "\n\nDisturbed runs that were run again are kept whole in `\(DisturbedAttempts.folderName)/` (README \"Disturbed trials\").\n"
        }
        if !failed.isEmpty {
            text += "\n| trial | status | message |\n|---|---|---|\n"
            for record in failed {
                text += "| \(record.trial.id) | \(record.status) | \((record.message ?? "").replacing("|", with: "\\|")) |\n"
            }
        }

        if let replays = TraceReplayTable.markdown(run) { text += "\n## Trace replays\n" + replays }
        if let programs = ProgramTable.markdown(run) { text += "\n## Programs\n" + programs }
        // Trace and program experiments have no nodes: their figures are in their own tables above.
        if experiment.traces == nil, experiment.programs == nil { text += "\n## Bytes and time per node\n\nMedian over successful repetitions (min–max where they differ).\n" }
        // In the experiment's order: shapes as listed, node counts ascending.
        // With "threads", one table per thread count (ascending) within each shape and node count.
        let shapeOrder = folder.experiment.shapes.map(\.name)
        let threadOrder = experiment.threadCounts.map { $0 ?? 0 }
        let summaries = experiment.threadCounts.flatMap { threads in
            PerNodeSummary.summaries(of: run.restricted(toThreads: threads)).map { (threads: threads, summary: $0) }
        }
        let groups = Set(summaries.map { GroupKey(shape: $0.summary.shape.name, nodes: $0.summary.nodes, threads: $0.threads) }).sorted {
            ((shapeOrder.firstIndex(of: $0.shape) ?? .max), $0.nodes, threadOrder.firstIndex(of: $0.threads ?? 0) ?? .max)
                < ((shapeOrder.firstIndex(of: $1.shape) ?? .max), $1.nodes, threadOrder.firstIndex(of: $1.threads ?? 0) ?? .max)
        }
        for group in groups {
            text += "\n### \(group.shape) · \(group.nodes) nodes\(Experiment.threadsLabel(group.threads))\n\n| layout | allocator | reps ok | RSS B/node | requested | usable | container | allocator active (allocated) | allocate ns/node |\n"
            text += "|---|---|---|---|---|---|---|---|---|\n"
            for (threads, row) in summaries where row.shape.name == group.shape && row.nodes == group.nodes && threads == group.threads {
                let allocatorFigure = row.allocatorActiveBytesPerNode.map { format($0) }
                    ?? row.allocatorAllocatedBytesPerNode.map { "(\(format($0)))" } ?? "—"
                text += "| \(row.layout.rawValue)\(experiment.pythonSuffix(row.python)) | \(row.allocator) | \(row.repetitionsOK) | \(format(row.rssBytesPerNode)) "
                text += "| \(format(row.requestedBytesPerNode)) | \(format(row.usableBytesPerNode)) | \(format(row.containerBytesPerNode)) "
                text += "| \(allocatorFigure) | \(format(row.allocateNsPerNode)) |\n"
            }
        }

        if let versions = PythonVersionTable.markdown(run) { text += "\n## Interpreters as builds\n" + versions }

        if let comparisons = try? ChartDataWriter.comparisons(of: folder), !comparisons.isEmpty {
            text += comparisonSection(comparisons, experiment: experiment)
        }

        if experiment.phases.count > 1 {
            text += "\n## Phases\n\nMedian over the successful repetitions of each phase, as `layoutlab run` prints them; "
            text += "every trial's row is in `phases.csv`. \(PhaseSummaryTable.legend)\n"
            text += PhaseSummaryTable.markdown(run)
        }

        text += threadsSection(run)
        text += forkSection(run)

        if let sides = RunComparisonFolders.read(from: folder) {
            text += "\n## Compared with another run\n\n`layoutlab compare A B` drew `comparison-runs-*` in this folder: each bar "
            text += "is an allocator in run B ÷ the same allocator in run A.\n\n- A: `\(sides.a)`\n- B: `\(sides.b)`\n"
        }

        text += pythonClaim(run)

        let pngs = charts.filter { $0.pathExtension == "png" }
        if !pngs.isEmpty {
            let sets = ChartDataWriter.chartSets(of: folder.experiment)
            text += "\n## Charts\n\nEach also as SVG beside the PNG, for "
            text += folder.experiment.programs != nil ? "the programs.\n\n"
                : folder.experiment.traces != nil ? "the trace replays.\n\n"
                : sets.isEmpty ? "the sweeps (their members have no charts of their own).\n\n"
                : sets.count == 1 ? "the shape at the largest node count.\n\n" : "each shape at the largest node count.\n\n"
            let root = folder.directory.standardizedFileURL.path + "/"
            // Charts of the whole experiment in `charts/` itself (programs, trace replays) when no shape's set is there.
            let chartsRoot = folder.directory.appendingPathComponent("charts").standardizedFileURL.path
            if !sets.contains(where: { $0.subfolder == "." }) {
                for chart in pngs where chart.standardizedFileURL.deletingLastPathComponent().path == chartsRoot && !isStaircase(chart) {
                    let relative = chart.standardizedFileURL.path.replacingOccurrences(of: root, with: "")
                    text += "![\(chart.deletingPathExtension().lastPathComponent)](\(relative))\n\n"
                }
            }
            for set in sets {
                if sets.count > 1 { text += "### Shape \(set.focus.shape.name) (\(set.focus.shape.fieldSummary))\n\n" }
                let directory = folder.directory.appendingPathComponent("charts").appendingPathComponent(set.subfolder).standardizedFileURL.path
                for chart in pngs where chart.standardizedFileURL.deletingLastPathComponent().path == directory && !isStaircase(chart) {
                    let name = chart.deletingPathExtension().lastPathComponent
                    let relative = chart.standardizedFileURL.path.replacingOccurrences(of: root, with: "")
                    text += "![\(name)](\(relative))\n\n"
                }
            }
            text += staircaseSection(pngs.filter(isStaircase), root: root)
        }
        return text
    }

    /// The seed's claim — a plain class ~152 B an instance, `__slots__` ~48; 10 M objects 1.5 GB against
    /// 500 MB — next to what this folder measured, when it has both Python classes.
    static func pythonClaim(_ run: ExperimentRun) -> String {
        // With "threads", at the smallest count (as the charts).
        let run = run.restricted(toThreads: run.experiment.chartThreads)
        let summaries = PerNodeSummary.summaries(of: run)
        guard let nodes = run.experiment.nodes.max(),
            summaries.contains(where: { $0.layout == .pythonDictClass && $0.nodes == nodes && $0.rssBytesPerNode != nil }),
            summaries.contains(where: { $0.layout == .pythonSlotsClass && $0.nodes == nodes && $0.rssBytesPerNode != nil })
        else { return "" }
        var text = "\n## The claim: a plain Python object ~152 B, a `__slots__` one ~48 B; 10 M of them 1.5 GB vs 500 MB\n\n"
        text += "Measured here at \(nodes) nodes (RSS growth ÷ nodes, list slot and the objects' two int fields included; "
        text += "`tracemalloc` counts the Python objects alone; GB = 10⁹ bytes for 10 M nodes):\n\n"
        text += "| layout | allocator | RSS B/node | tracemalloc B/node | getsizeof B/node | 10 M nodes |\n|---|---|---|---|---|---|\n"
        let traced = Dictionary(grouping: run.records.filter { $0.status == .ok && $0.trial.nodes == nodes }) { "\($0.trial.layout.rawValue)/\($0.trial.allocator.name)" }
        for summary in summaries where summary.nodes == nodes && summary.shape.name == run.experiment.shapes.first?.name {
            guard let rss = summary.rssBytesPerNode?.median else { continue }
            let records = traced["\(summary.layout.rawValue)/\(summary.allocator)"] ?? []
            let tracemalloc = PerNodeSummary.median(records.compactMap(\.metrics.tracemallocBytesPerNode)).map { format($0) } ?? "—"
            let getsizeof = PerNodeSummary.median(records.compactMap(\.metrics.getsizeofBytesPerNode)).map { format($0) } ?? "—"
            text += "| \(summary.layout.rawValue) | \(summary.allocator) | \(format(rss)) | \(tracemalloc) | \(getsizeof) | \(format(rss * 1e7 / 1e9)) GB |\n"
        }
        return text
    }

    /// "; stopped and resumed at …": when `--resume` finished a run that had stopped (environment.json's
    /// `resumed_utc`), so that a reader knows its trials ran in more than one sitting.
    static func resumedNote(_ environment: EnvironmentRecord) -> String {
        guard let resumed = environment.resumedUtc, !resumed.isEmpty else { return "" }
        let times = resumed.joined(separator: ", ")
        return "; stopped and resumed with `--resume` at \(times) (\(resumed.count == 1 ? "one resume" : "\(resumed.count) resumes"): its trials ran in \(resumed.count + 1) sittings"
    }

    static func format(_ spread: PerNodeSummary.Spread?) -> String {
        guard let spread else { return "—" }
        let median = format(spread.median)
        return spread.maximum - spread.minimum < 0.05 ? median : "\(median) (\(format(spread.minimum))–\(format(spread.maximum)))"
    }

    static func format(_ value: Double) -> String { Rounded.text(value) }
}

/// One table of the report: a shape at a node count (and a thread count; nil: classic trials).
private struct GroupKey: Hashable {
    var shape: String
    var nodes: Int
    var threads: Int?
}
