import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// `layoutlab trace-info`'s text: the calls by kind, live bytes, requested sizes by power-of-two range beside
/// the usable size of the range's largest request (`usableBytes`, measured by the caller; nil: not measured),
/// and lifetimes by power-of-two range of events.
package enum TraceInfoTable {
    package static func render(_ summary: TraceSummary, file: String, usableBytes: (Int) -> Int?) -> String {
        var text = "\(file): \(summary.events) events, \(summary.threads) thread(s), \(summary.fileBytes) bytes"
        text += summary.bytesPerEvent.map { " (\(Rounded.text($0, digits: 2)) B/event)" } ?? ""
        text += "\n\n"
        var calls = [["call", "calls"]]
        for kind in TraceEvent.Kind.allCases { calls.append([kind.name, String(summary.calls[kind] ?? 0)]) }
        calls.append(["failed (NULL or an error)", String(summary.failedCalls)])
        calls.append(["pointer not traced (made before the tracer started)", String(summary.unknownPointers)])
        calls.append(["events dropped (no buffer) or lost: the trace is incomplete when not 0", "\(summary.droppedEvents) + \(summary.lostEvents)"])
        text += TextTable.aligned(calls) + "\n"
        text += TextTable.aligned([
            ["live bytes (requested, counted by replaying the events)", "value"],
            ["blocks made", String(summary.blocksMade)],
            ["peak live requested bytes", String(summary.peakLiveRequestedBytes)],
            ["blocks alive at the peak", String(summary.peakLiveBlocks)],
            ["event of the peak (sequence number)", String(summary.peakSequence)],
            ["blocks never freed", String(summary.liveBlocksAtEnd)],
            ["bytes never freed (requested)", String(summary.liveRequestedBytesAtEnd)],
        ]) + "\n"
        var sizes = [["requested bytes", "blocks", "share", "largest request", "its usable bytes", "largest's waste"]]
        let made = max(1, summary.blocksMade)
        for bin in summary.sizeBins {
            let largest = bin.largest
            let usable = largest <= 1 << 30 ? usableBytes(Int(largest)) : nil
            sizes.append([
                bin.lowerBound <= 1 ? String(bin.lowerBound) : "\(bin.lowerBound)–\(bin.lowerBound * 2 - 1)",
                String(bin.blocks), Rounded.text(100 * Double(bin.blocks) / Double(made), digits: 1) + " %", String(largest),
                usable.map(String.init) ?? "", usable.map { String($0 - Int(largest)) } ?? "",
            ])
        }
        text += TextTable.aligned(sizes) + "\n"
        var lifetimes = [["lifetime (events)", "blocks ended"]]
        for (bound, blocks) in summary.lifetimeBins.sorted(by: { $0.key < $1.key }) {
            lifetimes.append([bound == 1 ? "1" : "\(bound)–\(bound * 2 - 1)", String(blocks)])
        }
        text += TextTable.aligned(lifetimes)
        return text
    }
}
