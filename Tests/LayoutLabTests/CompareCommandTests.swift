import Foundation
import Testing

@testable import LayoutLabTables

/// `layoutlab compare` run as a user or a CI job runs it, on copies of the committed results fixture
/// (2 repetitions of 3 layouts × 2 allocators), changed where a test needs it: no worker runs.
@Suite("layoutlab compare on results folders: exit codes, refusals, output order")
struct CompareCommandTests {
    /// A copy of the fixture; `transform` may change each trials.csv row (by column name) and the header.
    static func fixtureCopy(
        _ label: String, in directory: URL, extraColumns: [String] = [],
        transform: (inout [String: String]) -> Void = { _ in }
    ) throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture", withExtension: nil))
        let copy = directory.appendingPathComponent(label)
        try FileManager.default.copyItem(at: source, to: copy)
        let trials = try TestSupport.readCSV(copy.appendingPathComponent("trials.csv"))
        var table = CSVTable(header: trials.header + extraColumns)
        for var row in trials.rows {
            transform(&row)
            table.append(table.header.map { row[$0] })
        }
        try table.text.write(to: copy.appendingPathComponent("trials.csv"), atomically: true, encoding: .utf8)
        return copy
    }

    @Test func oneRepetitionCannotDecide() throws {
        let directory = try TestSupport.temporaryDirectory("compare-one")
        var folders: [URL] = []
        for label in ["a", "b"] {
            let folder = try Self.fixtureCopy(label, in: directory)
            // Keep repetition 1 only.
            let trials = try TestSupport.readCSV(folder.appendingPathComponent("trials.csv"))
            var table = CSVTable(header: trials.header)
            for row in trials.rows where row["repetition"] == "1" { table.append(trials.header.map { row[$0] }) }
            try table.text.write(to: folder.appendingPathComponent("trials.csv"), atomically: true, encoding: .utf8)
            folders.append(folder)
        }
        let result = try TestSupport.run("layoutlab", ["compare", folders[0].path, folders[1].path, "--fail-above", "5"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("cannot decide 18 rows"), "\(result.stderr)")
        #expect(result.stderr.contains("point final-class 20000 allocate_ns_per_node jemalloc (A) → jemalloc (B): 1 repetition in A and 1 in B"))
        #expect(result.stdout.contains("(n < 2)"))
        // Without --fail-above nothing is decided, so nothing fails.
        let plain = try TestSupport.run("layoutlab", ["compare", folders[0].path, folders[1].path])
        #expect(plain.status == 0, "\(plain.stderr)")
    }

    @Test func unlikeTrialsAreRefusedNamingWhatDiffers() throws {
        let directory = try TestSupport.temporaryDirectory("compare-unlike")
        let a = try Self.fixtureCopy("a", in: directory)
        // B: the same names, but the shape holds one int8 field (another experiment's `point`).
        let b = try Self.fixtureCopy("b", in: directory) { row in
            row["fields"] = "x:int8"
            (row["payload_size_bytes"], row["payload_stride_bytes"], row["payload_alignment_bytes"]) = ("1", "1", "1")
        }
        let experiment = b.appendingPathComponent("experiment.json")
        let text = try String(contentsOf: experiment, encoding: .utf8)
            .replacingOccurrences(of: #"[ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ]"#, with: #"[ {"name": "x", "type": "int8"} ]"#)
            .replacingOccurrences(of: #""checkpoints": 5"#, with: #""checkpoints": 7"#)
        try text.write(to: experiment, atomically: true, encoding: .utf8)

        let refused = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--fail-above", "5"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("shape point: fields: x:int64,y:int64 in A, x:int8 in B"), "\(refused.stderr)")
        #expect(refused.stderr.contains("checkpoints: 5 in A, 7 in B"))
        #expect(refused.stdout.isEmpty, "no table for a refused comparison")
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("comparison.csv").path))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("chart-data/comparison-runs-rss.csv").path))

        let forced = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--allow-mismatch"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.hasPrefix("COMPARED DESPITE DIFFERENT TRIALS (--allow-mismatch)"))
        #expect(forced.stdout.contains("no chart data written"))
        let csv = try TestSupport.readCSV(b.appendingPathComponent("comparison.csv"))
        #expect(!csv.rows.isEmpty && csv.rows.allSatisfy { ($0["mismatch"] ?? "").contains("shape point: fields") })
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("chart-data/comparison-runs-rss.csv").path))
    }

    @Test func theAllocatorIsTheSubjectOnlyWhenSaidSo() throws {
        let directory = try TestSupport.temporaryDirectory("compare-subject")
        let a = try Self.fixtureCopy("a", in: directory)
        let b = try Self.fixtureCopy("b", in: directory)
        let environment = b.appendingPathComponent("environment.json")
        let text = try String(contentsOf: environment, encoding: .utf8)
            .replacingOccurrences(of: "9a2fa29d3386480f7eabdfd39e97dc5e5eeaf923cb82f7e268a3adf738ae08c6", with: "0123456789ab" + String(repeating: "0", count: 52))
        try text.write(to: environment, atomically: true, encoding: .utf8)
        // A new jemalloc build is what `--subject allocator` (the default) compares: said, not refused.
        let builds = try TestSupport.run("layoutlab", ["compare", a.path, b.path])
        #expect(builds.status == 0, "\(builds.stderr)")
        #expect(builds.stdout.contains("subject (--subject allocator): allocator jemalloc: library: sha256 9a2fa29d3386… (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2) in A, sha256 0123456789ab…"))
        // An A/A check of one build refuses it.
        let same = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--subject", "none"])
        #expect(same.status == 2)
        #expect(same.stderr.contains("allocator jemalloc: library"))
    }

    @Test func theVerdictComesAfterTheTablesInOneStream() throws {
        let directory = try TestSupport.temporaryDirectory("compare-order")
        let a = try Self.fixtureCopy("a", in: directory)
        let b = try Self.fixtureCopy("b", in: directory) { row in
            if let usable = row["usable_bytes_per_node"].flatMap(Double.init) { row["usable_bytes_per_node"] = String(usable * 2) }
        }
        let layoutlab = TestSupport.buildDirectory.appendingPathComponent("layoutlab").path
        // stdout and stderr into one pipe, as in a CI log: stdout is block-buffered there.
        let result = try TestSupport.runTool("/bin/sh", ["-c", "\"$0\" compare \"$1\" \"$2\" --fail-above 5 2>&1", layoutlab, a.path, b.path])
        #expect(result.status == 1)
        let output = result.stdout
        let verdict = try #require(output.range(of: "regressions beyond 5.0 %"), "\(output)")
        let lastTable = try #require(output.range(of: "allocate_ns_per_node (lower is better)"))
        let written = try #require(output.range(of: "comparison: "))
        #expect(lastTable.upperBound < verdict.lowerBound && written.upperBound < verdict.lowerBound, "\(output)")
        #expect(output.contains("point final-class 20000 usable_bytes_per_node: jemalloc (B) is 2.0× jemalloc (A), 95 % [2.0, 2.0]"))
    }

    @Test func instructionCountsDecideTimeVerdicts() throws {
        let directory = try TestSupport.temporaryDirectory("compare-counts")
        let count = "allocate_instructions_per_node"
        // A and B: the same deterministic counts; B's times are 1.8× (a busy neighbour), the rest unchanged.
        let a = try Self.fixtureCopy("a", in: directory, extraColumns: [count]) { row in row[count] = "184.207" }
        let b = try Self.fixtureCopy("b", in: directory, extraColumns: [count]) { row in
            row[count] = "184.207"
            if let ns = row["allocate_ns_per_node"].flatMap(Double.init) { row["allocate_ns_per_node"] = String(ns * 1.8) }
        }
        let noisy = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--fail-above", "5"])
        #expect(noisy.status == 0, "\(noisy.stdout)\n\(noisy.stderr)")
        #expect(noisy.stdout.contains("\(count) (lower is better)"), "a default metric when both sides count")
        #expect(noisy.stdout.contains("time: 6 rows of allocate_ns_per_node decided by \(count) (deterministic)"))
        #expect(noisy.stdout.contains("* time verdict decided by \(count) (deterministic)"))
        // Told to compare time alone, compare tests time: the 1.8× is then a regression.
        let timeOnly = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--fail-above", "5", "--metric", "allocate_ns_per_node"])
        #expect(timeOnly.status == 1, "\(timeOnly.stderr)")
        // A build that executes 20 % more instructions per node regresses, and the verdict says what decided.
        let c = try Self.fixtureCopy("c", in: directory, extraColumns: [count]) { row in row[count] = "221.048" }
        let slower = try TestSupport.run("layoutlab", ["compare", a.path, c.path, "--fail-above", "5"])
        #expect(slower.status == 1)
        #expect(slower.stderr.contains("\(count): system (B) is 1.2× system (A), 95 % [1.2, 1.2], adjusted p 0 — time decided by \(count) (deterministic)"), "\(slower.stderr)")
    }

    /// The reviewer's case: counts identical in A and B (valgrind mode), B's times tripled. The counts decide
    /// the exit status (0), but the time that no count explains is a warning after the tables and a
    /// `time_unexplained` cell, and the whole-run shift is named as drift or a global change.
    @Test func timeThatNoCountExplainsIsNeverSilent() throws {
        let directory = try TestSupport.temporaryDirectory("compare-unexplained")
        let (instructions, faults) = ("allocate_instructions_per_node", "allocate_minor_faults_per_node")
        func counts(_ row: inout [String: String], faultsFactor: Double = 1) {
            row[instructions] = "184.207"
            row["instructions_source"] = "valgrind"
            // Page faults vary a little between repetitions, as counted ones do.
            row[faults] = String((row["repetition"] == "1" ? 0.0141 : 0.0146) * faultsFactor)
        }
        let a = try Self.fixtureCopy("a", in: directory, extraColumns: [instructions, faults, "instructions_source"]) { counts(&$0) }
        let b = try Self.fixtureCopy("b", in: directory, extraColumns: [instructions, faults, "instructions_source"]) { row in
            counts(&row)
            if let ns = row["allocate_ns_per_node"].flatMap(Double.init) { row["allocate_ns_per_node"] = String(ns * 3) }
        }
        let result = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--fail-above", "5"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("\(faults) (lower is better)"), "page faults are a default metric")
        #expect(result.stdout.contains("time: 6 rows of allocate_ns_per_node decided by \(instructions) (deterministic) and \(faults) (counted)"), "\(result.stdout)")
        #expect(result.stdout.contains("within each run (drift between the two runs is not in it)"))
        #expect(result.stdout.contains("run shift of allocate_ns_per_node: B ÷ A 3.0× (geometric mean of 6 configurations"), "\(result.stdout)")
        #expect(!result.stdout.contains("run shift of \(instructions)"), "counts are not time: they have no run shift")
        #expect(result.stderr.contains("time beyond 5.0 % not explained by instructions or faults: 6 of 6 time rows"), "\(result.stderr)")
        #expect(result.stderr.contains("point final-class 20000 allocate_ns_per_node: jemalloc (B) is 3.0× jemalloc (A)"))
        #expect(result.stderr.contains("compare with --metric allocate_ns_per_node"))
        #expect(result.stderr.contains("run B is 3.0× slower across every configuration in allocate_ns_per_node"))
        let csv = try TestSupport.readCSV(b.appendingPathComponent("comparison.csv"))
        let time = csv.rows.filter { $0["metric"] == "allocate_ns_per_node" }
        #expect(time.count == 6 && time.allSatisfy { $0["time_unexplained"] == "true" && $0["run_shift_b_over_a"] == "3.0" }, "\(time)")
        #expect(csv.rows.filter { $0["metric"] == faults }.allSatisfy { $0["regression"] == "false" && $0["p_value"] != "" })

        // Twice the page faults is a regression (exit 1), and it explains the time: no warning about it.
        let c = try Self.fixtureCopy("c", in: directory, extraColumns: [instructions, faults, "instructions_source"]) { row in
            counts(&row, faultsFactor: 2)
            if let ns = row["allocate_ns_per_node"].flatMap(Double.init) { row["allocate_ns_per_node"] = String(ns * 3) }
        }
        let faulting = try TestSupport.run("layoutlab", ["compare", a.path, c.path, "--fail-above", "5"])
        #expect(faulting.status == 1, "\(faulting.stdout)\n\(faulting.stderr)")
        #expect(faulting.stderr.contains("point final-class 20000 \(faults): jemalloc (B) is 2.0× jemalloc (A)"), "\(faulting.stderr)")
        #expect(!faulting.stderr.contains("not explained by instructions or faults"))
    }

    /// The sound design for guarding an allocator build: both builds in one run, trials interleaved by the
    /// runner's rotation, compared within the folder. Here "new" is a copy of jemalloc's trials.
    @Test func twoBuildsInOneRunAreComparedWithFailAbove() throws {
        let directory = try TestSupport.temporaryDirectory("compare-interleaved")
        func oneRun(_ label: String, nsFactor: Double) throws -> URL {
            let folder = try Self.fixtureCopy(label, in: directory)
            let trials = try TestSupport.readCSV(folder.appendingPathComponent("trials.csv"))
            var table = CSVTable(header: trials.header)
            for row in trials.rows where row["allocator"] == "jemalloc" {
                var old = row, new = row
                old["allocator"] = "jemalloc-old"
                new["allocator"] = "jemalloc-new"
                new["trial_id"] = row["trial_id"].map { $0.replacingOccurrences(of: ".jemalloc.", with: ".jemalloc-new.") }
                // Within-run noise: the new build's repetitions are not copies of the old one's.
                let noise = row["repetition"] == "1" ? 1.02 : 0.97
                if let ns = row["allocate_ns_per_node"].flatMap(Double.init) { new["allocate_ns_per_node"] = String(ns * noise * nsFactor) }
                table.append(trials.header.map { old[$0] })
                table.append(trials.header.map { new[$0] })
            }
            try table.text.write(to: folder.appendingPathComponent("trials.csv"), atomically: true, encoding: .utf8)
            return folder
        }
        let same = try oneRun("same", nsFactor: 1)
        let arguments = ["--by", "allocator", "--baseline", "jemalloc-old", "--fail-above", "5"]
        let pass = try TestSupport.run("layoutlab", ["compare", same.path] + arguments)
        #expect(pass.status == 0, "\(pass.stdout)\n\(pass.stderr)")
        #expect(pass.stdout.contains("no regression beyond 5.0 %") && pass.stdout.contains("3 rows tested"), "\(pass.stdout)")
        #expect(!pass.stdout.contains("drift between the two runs"), "one run: the interval is the whole story")
        #expect(pass.stderr.isEmpty, "\(pass.stderr)")
        let slower = try oneRun("slower", nsFactor: 2)
        let fail = try TestSupport.run("layoutlab", ["compare", slower.path] + arguments)
        #expect(fail.status == 1, "\(fail.stdout)\n\(fail.stderr)")
        #expect(fail.stderr.contains("Holm–Bonferroni, family-wise error 2.5 % one-sided over 3 rows"), "\(fail.stderr)")
        for layout in ["dict-class", "final-class", "struct-array"] {
            #expect(fail.stderr.contains("point \(layout) 20000 allocate_ns_per_node: jemalloc-new is 1.9894× jemalloc-old"), "\(layout): \(fail.stderr)")
        }
    }

    /// Run B is 1.45× slower for every allocator (drift): the plain time comparison calls it a regression, the
    /// one divided by an unchanged control allocator does not; a real 2× on top of the drift still fails.
    @Test func aControlAllocatorCancelsDrift() throws {
        let directory = try TestSupport.temporaryDirectory("compare-control")
        let a = try Self.fixtureCopy("a", in: directory)
        func drifted(_ label: String, jemallocFactor: Double) throws -> URL {
            try Self.fixtureCopy(label, in: directory) { row in
                let factor = 1.45 * (row["allocator"] == "jemalloc" ? jemallocFactor : 1)
                if let ns = row["allocate_ns_per_node"].flatMap(Double.init) { row["allocate_ns_per_node"] = String(ns * factor) }
            }
        }
        let drift = try drifted("drift", jemallocFactor: 1)
        let time = ["--metric", "allocate_ns_per_node", "--fail-above", "5"]
        let plain = try TestSupport.run("layoutlab", ["compare", a.path, drift.path] + time)
        #expect(plain.status == 1, "\(plain.stdout)\n\(plain.stderr)")
        #expect(plain.stderr.contains("run B is 1.45× slower across every configuration in allocate_ns_per_node"), "\(plain.stderr)")
        let controlled = try TestSupport.run("layoutlab", ["compare", a.path, drift.path, "--control", "system"] + time)
        #expect(controlled.status == 0, "\(controlled.stdout)\n\(controlled.stderr)")
        #expect(controlled.stdout.contains("ratio = (B ÷ A) ÷ (system's B ÷ A) of geometric means"), "\(controlled.stdout)")
        #expect(controlled.stdout.contains("3 rows tested"), "jemalloc's three configurations; the control's own rows are its drift")
        #expect(controlled.stderr.contains("divided by system's own ratio (--control)"), "\(controlled.stderr)")
        let csv = try TestSupport.readCSV(drift.appendingPathComponent("comparison.csv"))
        #expect(csv.rows.count == 3 && csv.rows.allSatisfy { $0["control"] == "system" && $0["ratio_b_over_a"] == "1.0" && $0["side_a"] == "jemalloc (A)" })

        let slower = try drifted("slower", jemallocFactor: 2)
        let caught = try TestSupport.run("layoutlab", ["compare", a.path, slower.path, "--control", "system"] + time)
        #expect(caught.status == 1, "\(caught.stdout)\n\(caught.stderr)")
        #expect(caught.stderr.contains("point struct-array 20000 allocate_ns_per_node: jemalloc (B) is 2.0× jemalloc (A)"), "\(caught.stderr)")

        let unknown = try TestSupport.run("layoutlab", ["compare", a.path, drift.path, "--control", "sytem"])
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean \"system\"?"), "\(unknown.stderr)")
        // A control is an allocator that did not change: a new jemalloc build cannot be one.
        let environment = drift.appendingPathComponent("environment.json")
        let rebuilt = try String(contentsOf: environment, encoding: .utf8)
            .replacingOccurrences(of: "9a2fa29d3386480f7eabdfd39e97dc5e5eeaf923cb82f7e268a3adf738ae08c6", with: "0123456789ab" + String(repeating: "0", count: 52))
        try rebuilt.write(to: environment, atomically: true, encoding: .utf8)
        let changed = try TestSupport.run("layoutlab", ["compare", a.path, drift.path, "--control", "jemalloc"])
        #expect(changed.status == 2 && changed.stderr.contains("--control jemalloc must be the same allocator in both runs, and it changed"), "\(changed.stderr)")
        let oneFolder = try TestSupport.run("layoutlab", ["compare", a.path, "--by", "allocator", "--control", "system"])
        #expect(oneFolder.status != 0 && oneFolder.stderr.contains("--control divides two runs' ratios"), "\(oneFolder.stderr)")
    }

    /// Settings are compared as the run resolved them: a default left out in A and spelled out in B agree.
    @Test func explicitDefaultsMatchAbsentKeys() throws {
        let directory = try TestSupport.temporaryDirectory("compare-defaults")
        let a = try Self.fixtureCopy("a", in: directory)
        func spelledOut(_ label: String, exclusivity: String) throws -> URL {
            let folder = try Self.fixtureCopy(label, in: directory)
            let experiment = folder.appendingPathComponent("experiment.json")
            let text = try String(contentsOf: experiment, encoding: .utf8)
                .replacingOccurrences(of: #""seed": 3,"#, with: #""seed": 3, "exclusivity": "\#(exclusivity)", "instructions": "hardware","#)
            try text.write(to: experiment, atomically: true, encoding: .utf8)
            return folder
        }
        let explicit = try spelledOut("b", exclusivity: "checked")
        let same = try TestSupport.run("layoutlab", ["compare", a.path, explicit.path, "--subject", "none"])
        #expect(same.status == 0, "\(same.stderr)")
        let unchecked = try spelledOut("c", exclusivity: "unchecked")
        let different = try TestSupport.run("layoutlab", ["compare", a.path, unchecked.path])
        #expect(different.status == 2)
        #expect(different.stderr.contains("exclusivity: checked in A, unchecked in B"), "\(different.stderr)")
        #expect(!different.stderr.contains("instructions"), "\(different.stderr)")
    }

    @Test func phaseFiguresAreMetrics() throws {
        let directory = try TestSupport.temporaryDirectory("compare-phases")
        let a = try Self.fixtureCopy("a", in: directory)
        let result = try TestSupport.run(
            "layoutlab", ["compare", a.path, a.path, "--metric", "traverse-rnd.ns_per_node,free-half.ns_per_node,free-all.rss_returned_bytes"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("traverse-rnd.ns_per_node (lower is better)"))
        #expect(result.stdout.contains("free-all.rss_returned_bytes (higher is better)"))
        let csv = try TestSupport.readCSV(a.appendingPathComponent("comparison.csv"))
        let traverse = csv.rows.filter { $0["metric"] == "traverse-rnd.ns_per_node" }
        #expect(traverse.count == 6 && traverse.allSatisfy { $0["repetitions_a"] == "2" && $0["ratio_b_over_a"] == "1.0" })
        // free-half cannot apply to struct-array (its array is held whole): no row, not a row of zeros.
        #expect(!csv.rows.contains { $0["metric"] == "free-half.ns_per_node" && $0["layout"] == "struct-array" })
        #expect(csv.rows.contains { $0["metric"] == "free-half.ns_per_node" && $0["layout"] == "final-class" })
    }

    @Test func helpfulErrors() throws {
        let directory = try TestSupport.temporaryDirectory("compare-errors")
        let a = try Self.fixtureCopy("a", in: directory)
        let missing = try TestSupport.run("layoutlab", ["compare", a.path, directory.appendingPathComponent("nope").path])
        #expect(missing.status == 2 && missing.stderr.contains("nope does not exist"))
        let typo = try TestSupport.run("layoutlab", ["compare", a.path, a.path, "--metric", "rss_byte_per_node"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("did you mean \"rss_bytes_per_node\"?") && typo.stderr.contains("metrics there: allocate_ns_per_node, ") && typo.stderr.contains("PHASE one of allocate, traverse-rnd"))
        let phase = try TestSupport.run("layoutlab", ["compare", a.path, a.path, "--metric", "traverse.ns_per_node"])
        #expect(phase.status == 2 && phase.stderr.contains("did you mean \"traverse-rnd.ns_per_node\"?"), "\(phase.stderr)")
        let glibc = try TestSupport.run("layoutlab", ["compare", a.path, "--by", "allocator", "--baseline", "glibc"])
        #expect(glibc.status == 2 && glibc.stderr.contains("did you mean \"system\"?"), "\(glibc.stderr)")
        let hosts = try TestSupport.run("layoutlab", ["compare", a.path, "--by", "host"])
        #expect(hosts.status == 2 && hosts.stderr.contains("only one host"), "\(hosts.stderr)")
    }
}
