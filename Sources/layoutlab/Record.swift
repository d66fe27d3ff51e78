import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabRunner

struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program with the lab's allocation tracer preloaded and write its allocation trace.",
        discussion: """
            Every malloc, calloc, realloc, free, posix_memalign, aligned_alloc, memalign and malloc_usable_size \
            call of the program is recorded (size, the earlier block it frees or resizes, the thread, in order) in \
            the compact binary format the README describes ("Allocation traces"). The tracer is C, compiled with \
            the system's C compiler into the lab's cache on first use, and preloaded into the program only: \
            the programs it executes in its place (same pid, as a wrapper's exec) are traced, its children \
            (forked or spawned) are not. A static program cannot be \
            traced. The program keeps the terminal's standard streams; its exit status is printed and is the \
            command's exit status. A trace cut short (the program killed, or left by _exit) is kept as \
            FILE.partial and the command exits 1.
            """ + CommandExamples.record)

    @Option(help: "The trace file to write.", completion: .file())
    var out: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.")
    var command: [String] = []

    func run() throws {
        let words = command.first == "--" ? Array(command.dropFirst()) : command
        let outcome = try TraceRecorder().record(words, to: URL(fileURLWithPath: out))
        let summary = TraceSummary(outcome.trace)
        let seconds = Double(outcome.wallNs) / 1e9
        let ended = outcome.termination == .exited(0) ? "exited 0" : "ended: \(outcome.termination)"
        let perEvent = summary.bytesPerEvent.map { String(format: "%.2f", $0) } ?? "–"
        let lines = [
            "layoutlab: \(words.joined(separator: " ")) \(ended) after \(String(format: "%.3f", seconds)) s (traced)",
            "layoutlab: trace \(outcome.file.path): \(summary.events) events of \(summary.threads) thread(s), "
                + "\(outcome.trace.fileBytes) bytes (\(perEvent) B/event), peak live requested \(summary.peakLiveRequestedBytes) B",
        ]
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        if !outcome.trace.isComplete {
            FileHandle.standardError.write(Data("layoutlab: warning: the trace is incomplete: \(outcome.trace.droppedEvents) events dropped (no memory for a thread's buffer), \(outcome.trace.lostEvents) lost\n".utf8))
        }
        let status = outcome.termination.shellStatus
        if status != 0 { throw ExitCode(status) }
    }
}
