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

/// An entry point of the generated layout library, loaded with `dlopen`.
struct GeneratedLayoutEntry {
    let function: LayoutEntryPoint

    init(libraryPath: String, symbol: String) throws(WorkerFailure) {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            throw WorkerFailure("cannot load \(libraryPath): \(Self.lastError())")
        }
        guard let address = dlsym(handle, symbol) else {
            throw WorkerFailure("\(libraryPath) has no entry point \(symbol): \(Self.lastError())")
        }
        function = unsafeBitCast(address, to: LayoutEntryPoint.self)
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
