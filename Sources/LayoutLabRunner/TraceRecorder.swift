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
        let tracer = CachedCLibrary(
            key: "tracer", fileName: "liblayoutlab_tracer.so", source: Self.tracerSource,
            flags: ["-O2", "-fPIC", "-shared", "-pthread", "-Wall", "-Werror"], cacheDirectory: cacheDirectory)
        do {
            return try tracer.library()
        } catch {
            throw TraceRecordError(error.message)
        }
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
