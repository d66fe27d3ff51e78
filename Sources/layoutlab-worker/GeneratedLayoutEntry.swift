#if canImport(Glibc)
import Glibc
#endif

/// The C signature of the callback the generated code calls at each checkpoint: context, nodes alive.
typealias CheckpointCallback = @convention(c) (UnsafeMutableRawPointer?, Int) -> Void

/// The C signature of one generated shape × layout entry point: builds `nodes` nodes, calling back at 0
/// (before anything is allocated), at `containerReadyMarker`, and at each of the `count` node counts in
/// `checkpoints`; returns a retained handle that keeps every node alive.
typealias LayoutEntryPoint = @convention(c) (
    Int, UnsafePointer<Int>, Int, UnsafeMutableRawPointer?, CheckpointCallback
) -> UnsafeMutableRawPointer

/// The C signature of a generated phase entry point: runs phase `code` over the nodes of `handle`, in the
/// order of the permutation when one is given, calling back with the live node count at 0 work items and
/// at each of the `count` work counts in `checkpoints`; writes checksum, live nodes, applicable (1/0).
typealias PhaseEntryPoint = @convention(c) (
    UnsafeMutableRawPointer, Int, UnsafePointer<Int>?, UnsafePointer<Int>, Int, UnsafeMutableRawPointer?,
    CheckpointCallback, UnsafeMutablePointer<Int>
) -> Void

/// The entry points of one shape × layout in the generated layout library, loaded with `dlopen`.
struct GeneratedLayoutEntry {
    let function: LayoutEntryPoint
    let phase: PhaseEntryPoint

    init(libraryPath: String, symbol: String) throws(WorkerFailure) {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            throw WorkerFailure("cannot load \(libraryPath): \(Self.lastError())")
        }
        guard let address = dlsym(handle, symbol), let phaseAddress = dlsym(handle, symbol + "_phase") else {
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
