import Foundation
import Testing

/// `compare --export`: the figures of a real comparison (copies of the committed results fixture) in the JSON
/// of github-action-benchmark's custom tools and in Bencher Metric Format, parsed back and held to each format's
/// rules: unique names, finite numbers, the interval around the value, and a figure without a number left out.
@Suite("compare --export github-benchmark and bencher")
struct BenchmarkExportTests {
    /// A and B; B has no usable size for jemalloc's rows (an empty cell), so those figures have no number.
    static func folders(_ label: String) throws -> (a: URL, b: URL) {
        let directory = try TestSupport.temporaryDirectory(label)
        let a = try CompareCommandTests.fixtureCopy("a", in: directory)
        let b = try CompareCommandTests.fixtureCopy("b", in: directory) { row in
            if row["allocator"] == "jemalloc" { row["usable_bytes_per_node"] = "" }
        }
        return (a, b)
    }

    static let metrics = "usable_bytes_per_node,rss_bytes_per_node,free-all.rss_returned_bytes,sample_count"

    @Test func gitHubBenchmarkEntriesFollowTheActionsRules() throws {
        let (a, b) = try Self.folders("export-github")
        let file = b.appendingPathComponent("bench.json")
        let result = try TestSupport.run(
            "layoutlab", ["compare", a.path, b.path, "--metric", Self.metrics, "--export", "github-benchmark", "--export-file", file.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("left out (no direction, so no tool can judge them): sample_count"), "\(result.stdout)")
        let smaller = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        let bigger = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: b.appendingPathComponent("bench-bigger-is-better.json"))) as? [[String: Any]])
        for entries in [smaller, bigger] {
            let names = entries.compactMap { $0["name"] as? String }
            #expect(names.count == entries.count && Set(names).count == names.count, "names present and unique")
            for entry in entries {
                #expect(Set(entry.keys).isSubset(of: ["name", "unit", "value", "range", "extra"]), "\(entry)")
                #expect(!(entry["unit"] as? String ?? "").isEmpty)
                let value = try #require(entry["value"] as? Double, "\(entry)")
                #expect(value.isFinite)
                if let range = entry["range"] {
                    let text = try #require(range as? String)
                    #expect(text.hasPrefix("± ") && Double(text.dropFirst(2)).map { $0.isFinite && $0 >= 0 } == true, "\(text)")
                }
            }
        }
        // Lower-is-better bytes in one file, the bytes free-all gave back (higher is better) in the other.
        #expect(smaller.allSatisfy { ($0["name"] as? String)?.hasSuffix("free-all.rss_returned_bytes") == false })
        #expect(bigger.count == 6 && bigger.allSatisfy { ($0["name"] as? String)?.hasSuffix(" free-all.rss_returned_bytes") == true && $0["unit"] as? String == "bytes" })
        // B's figures: every configuration's RSS, usable sizes of system only (jemalloc's cells are empty in B).
        let names = Set(smaller.compactMap { $0["name"] as? String })
        #expect(names.contains("point/final-class/20000/system usable_bytes_per_node"))
        #expect(!names.contains("point/final-class/20000/jemalloc usable_bytes_per_node"), "a figure without a number is left out, never 0")
        #expect(names.filter { $0.hasSuffix(" rss_bytes_per_node") }.count == 6)
        let usable = try #require(smaller.first { $0["name"] as? String == "point/final-class/20000/system usable_bytes_per_node" })
        #expect(usable["value"] as? Double == 40 && usable["range"] as? String == "± 0" && usable["unit"] as? String == "bytes/node")
        #expect((usable["extra"] as? String)?.contains("B ÷ A 1.0") == true, "\(usable)")
    }

    @Test func bencherMetricFormatHoldsEachFigureWithItsInterval() throws {
        let (a, b) = try Self.folders("export-bencher")
        let result = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--metric", Self.metrics, "--export", "bencher"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let file = b.appendingPathComponent("benchmark-bencher.json")
        #expect(result.stdout.contains("export (bencher): \(file.path)"), "\(result.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: [String: [String: Any]]])
        #expect(object.count == 6, "one benchmark per configuration: \(object.keys.sorted())")
        for (benchmark, measures) in object {
            #expect(!benchmark.isEmpty && benchmark.count <= 1024)
            for (slug, metric) in measures {
                #expect(slug.count <= 64 && slug.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(slug)")
                #expect(Set(metric.keys).isSubset(of: ["value", "lower_value", "upper_value"]))
                let value = try #require(metric["value"] as? Double)
                #expect(value.isFinite)
                if let low = metric["lower_value"] as? Double, let high = metric["upper_value"] as? Double {
                    #expect(low.isFinite && high.isFinite && low <= value && value <= high, "\(benchmark) \(slug): \(metric)")
                } else {
                    #expect(metric["lower_value"] == nil && metric["upper_value"] == nil, "both bounds or neither")
                }
            }
        }
        #expect(object["point/final-class/20000/system"]?["usable-bytes-per-node"]?["value"] as? Double == 40)
        #expect(object["point/final-class/20000/jemalloc"]?["usable-bytes-per-node"] == nil, "no number, no entry")
        #expect(object["point/final-class/20000/jemalloc"]?["free-all-rss-returned-bytes"] != nil)
        #expect(object["point/final-class/20000/jemalloc"]?["sample-count"] != nil, "Bencher's thresholds set direction: undirected figures are written")
    }

    @Test func badExportOptionsAreRefused() throws {
        let (a, b) = try Self.folders("export-bad")
        let wrong = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--export", "bencherr"])
        #expect(wrong.status != 0 && wrong.stderr.contains("--export takes github-benchmark or bencher, got bencherr (did you mean \"bencher\"?)"), "\(wrong.stderr)")
        let orphan = try TestSupport.run("layoutlab", ["compare", a.path, b.path, "--export-file", "/tmp/x.json"])
        #expect(orphan.status != 0 && orphan.stderr.contains("--export-file needs --export"))
    }
}
