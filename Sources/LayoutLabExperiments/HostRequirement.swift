import LayoutLabModel

/// Something an experiment file asks of the machine that runs it, with the JSON path that asks: found by
/// reading the file alone, checked only where the experiment is to run (`ExperimentHostCheck`). Reading a
/// results folder measured elsewhere never checks them.
package enum HostRequirement: Sendable {
    /// A layout as listed in the file, where a Python interpreter's version decides whether it can be built.
    package struct PlacedLayout: Sendable {
        package var layout: LayoutKind
        package var jsonPath: String
    }

    /// An entry of `"python"` as written: a path, a command on `PATH` or a pyenv version name (`3.12`).
    package struct PlacedInterpreter: Sendable {
        package var request: String
        package var jsonPath: String
    }

    /// A built-in allocator whose library must be installed (`jemalloc`: `libjemalloc.so.2`).
    case builtInAllocator(AllocatorSpec, jsonPath: String)
    /// A custom allocator's `library`, as written: a path or a file name the dynamic loader would search.
    case allocatorLibrary(String, jsonPath: String)
    /// Every interpreter listed must run, each once, and every Python layout listed must be built by one of them.
    case python(interpreters: [PlacedInterpreter], layouts: [PlacedLayout])
    /// A program's `command[0]` must be an executable file: a path (relative to `workingDirectory` unless absolute) or a
    /// name found on `path` (the entry's own `env.PATH`; nil: the lab's); `workingDirectory` must be a directory
    /// (reported at `cwdJSONPath`, or at `jsonPath` when the entry gives no `cwd`).
    case program(command: String, workingDirectory: String, path: String?, jsonPath: String, cwdJSONPath: String?)
    /// `"instructions": "valgrind"` needs valgrind on `PATH`.
    case valgrind(jsonPath: String)
    /// The trace file of `"traces"[index]` (resolved `path`) must be a complete allocation trace (`TraceReader`); its
    /// event count and sha256 are what the host check finds (`HostFindings.traces`).
    case trace(index: Int, path: String, jsonPath: String)
}
