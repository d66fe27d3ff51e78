import Foundation

/// Reads the instruction counts of a callgrind run's dump files: one file per phase, written by the worker's
/// `CALLGRIND_DUMP_STATS_AT("layoutlab-phase-<index>")`, whose `desc: Trigger: Client Request:` line names
/// the phase and whose `totals:` line (older versions: `summary:`) holds the count of the first event, which
/// must be `Ir` (instructions executed). Other dumps (program termination) are ignored.
enum CallgrindDumps {
    static let phasePrefix = "layoutlab-phase-"

    /// Instructions by phase index, from the dump files whose names start with `prefix` in `directory`.
    static func instructions(in directory: URL, prefix: String) throws(CallgrindDumpError) -> [Int: Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var counts: [Int: Int] = [:]
        for name in names.sorted() where name.hasPrefix(prefix) {
            let path = directory.appendingPathComponent(name).path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CallgrindDumpError(description: "cannot read callgrind's dump \(path)")
            }
            guard let (phase, count) = try phaseCount(in: text, file: name) else { continue }
            if counts[phase] != nil { throw CallgrindDumpError(description: "two callgrind dumps for phase \(phase)") }
            counts[phase] = count
        }
        return counts
    }

    /// The phase and instruction count of one dump's text; nil for a dump the worker did not ask for.
    static func phaseCount(in text: String, file: String) throws(CallgrindDumpError) -> (phase: Int, count: Int)? {
        let output = CallgrindOutput(text)
        guard let phase = output.trigger.flatMap({ $0.dropPrefix(phasePrefix) }).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
        else { return nil }
        guard output.events.first == "Ir" else {
            throw CallgrindDumpError(description: "\(file): expected Ir as callgrind's first event, got \(output.events.isEmpty ? "no events line" : output.events.joined(separator: " "))")
        }
        guard let count = output.total else {
            throw CallgrindDumpError(description: "\(file): callgrind's dump has no totals line")
        }
        return (phase, count)
    }
}

/// The lines of one callgrind output file that the lab reads, in one pass: what triggered the dump
/// (`desc: Trigger: Client Request: …`), the event names (`events:`), and the first event's total
/// (`totals:`, or `summary:` in older versions).
package struct CallgrindOutput {
    var trigger: Substring?
    var events: [Substring] = []
    /// The first event's total: `Ir`, instructions executed, unless the run counted other events first.
    package var total: Int?

    package init(_ text: String) {
        var totals: Int?
        var summary: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let rest = line.dropPrefix("desc: Trigger: Client Request: ") {
                trigger = rest
            } else if let rest = line.dropPrefix("events:") {
                events = rest.split(separator: " ")
            } else if let rest = line.dropPrefix("totals:") {
                totals = rest.split(separator: " ").first.flatMap { Int($0) }
            } else if let rest = line.dropPrefix("summary:") {
                summary = rest.split(separator: " ").first.flatMap { Int($0) }
            }
        }
        total = totals ?? summary
    }
}

/// Callgrind's dumps could not be read or do not hold what the worker asked for.
struct CallgrindDumpError: Error, CustomStringConvertible {
    let description: String
}

private extension Substring {
    func dropPrefix(_ prefix: String) -> Substring? { hasPrefix(prefix) ? dropFirst(prefix.count) : nil }
}
