#if canImport(Glibc)
import Glibc
#endif
import LayoutLabProtocol

/// The generated code's C function types, written once in `GeneratedCodeABI`.
typealias CheckpointCallback = GeneratedCodeABI.Checkpoint
typealias LayoutEntryPoint = GeneratedCodeABI.AllocateEntry
typealias PhaseEntryPoint = GeneratedCodeABI.PhaseEntry

/// The entry points of one shape × layout in the generated layout library, loaded with `dlopen`.
struct GeneratedLayoutEntry {
    let function: LayoutEntryPoint
    let phase: PhaseEntryPoint

    init(libraryPath: String, symbol: String) throws(WorkerFailure) {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            throw WorkerFailure("cannot load \(libraryPath): \(Self.lastError())")
        }
        guard let address = dlsym(handle, symbol),
            let phaseAddress = dlsym(handle, GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol))
        else {
            throw WorkerFailure("\(libraryPath) has no entry point \(symbol): \(Self.lastError())")
        }
        function = unsafeBitCast(address, to: LayoutEntryPoint.self)
        phase = unsafeBitCast(phaseAddress, to: PhaseEntryPoint.self)
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}

/// Why a worker gives up; written as a `failure` line and exit status 1.
struct WorkerFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
