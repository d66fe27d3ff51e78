import Foundation
import LayoutLabCodegen
import LayoutLabHost
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabSampling

/// `layoutlab record`: builds the allocation tracer (`Tracer/layoutlab_tracer.c`, compiled with the system's C
/// compiler into the lab's cache, once per source), runs one command with it preloaded, and moves the finished
/// trace into place. The trace is checked by reading it back before it is kept: a program killed before its
/// end leaves a truncated trace, which is kept beside the target as `<name>.partial` and reported.
package struct TraceRecorder {
    /// What one recorded run gave: how the program ended, its wall time in ns, and the trace read back.
    package struct Outcome: Sendable {
        package var termination: ChildProcess.Termination
        package var wallNs: Int
        package var trace: Trace
        package var file: URL
    }

    package var cacheDirectory: URL

    package init(cacheDirectory: URL = LayoutLibraryBuilder.defaultCacheDirectory) {
        self.cacheDirectory = cacheDirectory
    }

    /// The tracer's C source, shipped with the lab.
    package static var tracerSource: URL? { Bundle.module.url(forResource: "layoutlab_tracer", withExtension: "c") }

    /// The compiled tracer (`liblayoutlab_tracer.so`), built now if the cache has none for this source.
    package func tracerLibrary() throws(TraceRecordError) -> URL {
        guard let source = Self.tracerSource, let text = try? String(contentsOf: source, encoding: .utf8) else {
            throw TraceRecordError("the tracer's source (layoutlab_tracer.c) is missing from the lab's resources: rebuild the lab")
        }
        guard let compiler = ExternalCommand.locate("cc") ?? ExternalCommand.locate("gcc") else {
            throw TraceRecordError("no C compiler (cc or gcc) on PATH: `layoutlab record` compiles its tracer with one")
        }
        let flags = ["-O2", "-fPIC", "-shared", "-pthread", "-Wall", "-Werror"]
        let key = "tracer-" + String(StableHash.fnv1a64(text + "\n" + flags.joined(separator: " ")), radix: 16)
        let directory = cacheDirectory.appendingPathComponent(key)
        let library = directory.appendingPathComponent("liblayoutlab_tracer.so")
        if FileManager.default.fileExists(atPath: library.path) { return library }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TraceRecordError("cannot create the tracer's cache folder \(directory.path): \(error.localizedDescription)")
        }
        // Built under a name of its own, then renamed: two labs building at once never load a half-written file.
        let partial = directory.appendingPathComponent("liblayoutlab_tracer.\(getpid()).so")
        let finished: ChildProcess.Finished
        do {
            finished = try ChildProcess.run(compiler, flags + ["-o", partial.path, source.path, "-ldl"], mergeStandardError: true)
        } catch {
            throw TraceRecordError("cannot start the C compiler \(compiler): \(error)")
        }
        guard finished.termination == .exited(0) else {
            throw TraceRecordError("the C compiler failed on the tracer (\(compiler) \(flags.joined(separator: " "))):\n\(finished.standardOutput)")
        }
        guard rename(partial.path, library.path) == 0 else {
            throw TraceRecordError("cannot move the tracer into \(library.path): \(String(cString: strerror(errno)))")
        }
        return library
    }

    /// Runs `command` (its first word a path or a name on PATH) with the tracer preloaded, in the lab's working
    /// directory, with the lab's standard streams, and writes the trace to `file` (atomically).
    package func record(_ command: [String], to file: URL) throws(TraceRecordError) -> Outcome {
        guard let name = command.first else { throw TraceRecordError("record: no command given (layoutlab record --out FILE -- COMMAND ARGS...)", exitStatus: .badInput) }
        guard let executable = name.contains("/") ? name : ExternalCommand.locate(name) else {
            throw TraceRecordError("record: \(name) is not a command on PATH", exitStatus: .badInput)
        }
        let folder = file.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue,
              access(folder.path, W_OK) == 0 else {
            throw TraceRecordError("record: cannot write the trace into \(folder.path): no such folder, or not writable", exitStatus: .badInput)
        }
        let library = try tracerLibrary()
        let partial = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).recording")
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = ([library.path] + (environment["LD_PRELOAD"].map { [$0] } ?? [])).joined(separator: " ")
        environment["LAYOUTLAB_TRACE_FILE"] = partial.path
        environment["LAYOUTLAB_TRACE_PID"] = nil  // the tracer sets it to the pid it traces
        let start = MonotonicClock.nowNanoseconds()
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable: executable, arguments: Array(command.dropFirst()), environment: environment,
                standardOutput: .inherited, standardError: .inherited, inheritsStandardInput: true)
        } catch {
            throw TraceRecordError("record: cannot start \(executable): \(error)")
        }
        let termination = child.wait()
        let wallNs = MonotonicClock.nowNanoseconds() - start
        guard let bytes = FileManager.default.contents(atPath: partial.path) else {
            throw TraceRecordError("record: \(executable) wrote no trace (\(termination)); is it a dynamically linked program? A static one cannot be preloaded")
        }
        let trace: Trace
        do {
            trace = try TraceReader.read([UInt8](bytes))
        } catch {
            let kept = file.appendingPathExtension("partial")
            _ = try? FileManager.default.removeItem(at: kept)
            _ = try? FileManager.default.moveItem(at: partial, to: kept)
            throw TraceRecordError("record: the trace of \(executable) (\(termination)) cannot be read, \(error); kept as \(kept.path)")
        }
        guard rename(partial.path, file.path) == 0 else {
            throw TraceRecordError("record: cannot move the trace to \(file.path): \(String(cString: strerror(errno)))")
        }
        return Outcome(termination: termination, wallNs: wallNs, trace: trace, file: file)
    }
}

/// `layoutlab record` could not make a trace: the tracer cannot be built, the command cannot start, or its trace
/// cannot be read (`badInput` for a command that is not there, `failure` otherwise).
package struct TraceRecordError: LabError {
    package var message: String
    package var exitStatus: LabExitStatus

    init(_ message: String, exitStatus: LabExitStatus = .failure) {
        self.message = message
        self.exitStatus = exitStatus
    }
}
