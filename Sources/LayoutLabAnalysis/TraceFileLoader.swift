import Foundation
import LayoutLabModel
import LayoutLabProtocol

/// Reads a trace file for the lab's commands: a missing file, or one `TraceReader` refuses, is bad input naming
/// the file and the byte offset.
public enum TraceFileLoader {
    public static func load(_ path: String) throws(TraceFileError) -> Trace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceFileError(message: "\(path): cannot read the trace file (\(FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"))")
        }
        do {
            return try TraceReader.read([UInt8](data))
        } catch {
            throw TraceFileError(message: "\(path): \(error)")
        }
    }
}

/// A trace file that cannot be used: `FILE: at offset N: what is wrong`.
public struct TraceFileError: LabError {
    public var message: String
    public var exitStatus: LabExitStatus { .badInput }
    public var isFileDiagnostic: Bool { true }
}
