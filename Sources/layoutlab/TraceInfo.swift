import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabHost
import LayoutLabProtocol
import LayoutLabReports

struct TraceInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace-info",
        abstract: "What an allocation trace holds: calls by kind, peak live requested bytes, requested sizes against the size classes, lifetimes.",
        discussion: """
            Reads a trace written by `layoutlab record` whole, checking every field; a missing, truncated or \
            foreign file is an error naming the file and the byte offset (exit 2). Live bytes are counted by \
            replaying the events in order, without an allocator: requested bytes only. The size table puts each \
            power-of-two range of requested sizes beside the usable size the allocator serving this command \
            gives its largest size (malloc_usable_size, measured now: glibc unless you preload another, as in \
            LD_PRELOAD=libjemalloc.so.2 layoutlab trace-info FILE). Lifetimes are counted in events.
            """ + CommandExamples.traceInfo)

    @Argument(help: "The trace file.", completion: .file())
    var file: String

    func run() throws {
        let trace = try step(endingWith: .badInput) { try TraceFileLoader.load(file) }
        print(TraceInfoTable.render(TraceSummary(trace), file: file, usableBytes: UsableSizeProbe.usableBytes(forRequest:)))
    }
}
