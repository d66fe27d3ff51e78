#if canImport(Glibc)
import Glibc
#endif
import LayoutLabProtocol

/// The generated code's C function types, written once in `GeneratedCodeABI`.
typealias CheckpointCallback = GeneratedCodeABI.Checkpoint
typealias LayoutEntryPoint = GeneratedCodeABI.AllocateEntry
typealias PhaseEntryPoint = GeneratedCodeABI.PhaseEntry

/// The entry points of one shape × layout in the generated layout library (allocate, phase, node metadata),
/// loaded with `dlopen`.
struct GeneratedLayoutEntry {
    let function: LayoutEntryPoint
    let phase: PhaseEntryPoint
    let nodeMetadata: GeneratedCodeABI.NodeMetadataEntry

    init(libraryPath: String, symbol: String) throws(WorkerFailure) {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            throw WorkerFailure("cannot load \(libraryPath): \(Self.lastError())")
        }
        guard let address = dlsym(handle, symbol),
            let phaseAddress = dlsym(handle, GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol)),
            let metadataAddress = dlsym(handle, GeneratedCodeABI.nodeMetadataSymbol(allocateSymbol: symbol))
        else {
            throw WorkerFailure("\(libraryPath) has no entry point \(symbol): \(Self.lastError())")
        }
        function = unsafeBitCast(address, to: LayoutEntryPoint.self)
        phase = unsafeBitCast(phaseAddress, to: PhaseEntryPoint.self)
        nodeMetadata = unsafeBitCast(metadataAddress, to: GeneratedCodeABI.NodeMetadataEntry.self)
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
