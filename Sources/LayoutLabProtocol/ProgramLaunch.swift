/// What a monitor worker (`WorkerLayout.program`) starts and how: a real program run as the trial, with the
/// allocator's library preloaded into the program only (the worker itself runs without it), sampled from outside.
///
/// Request arguments (`arguments`): `--program-argv` and `--program-env` are `NetstringList`s (the command and its
/// arguments; `KEY=VALUE` entries set over the worker's own environment), `--program-cwd` a directory,
/// `--program-preload` the `LD_PRELOAD` value for the program (absent: nothing preloaded, glibc), `--program-timeout-ms`
/// after which the monitor kills the program's process group with SIGKILL, `--sample-interval-ms` the sampling period,
/// `--smaps-every` how many samples apart `smaps_rollup` is read, `--tree-every` how many samples apart the process
/// tree is scanned, and optionally `--agent-library` (the allocator agent, appended to the program's `LD_PRELOAD` and
/// given a pipe, `LAYOUTLAB_AGENT_FD`; its bytes come back in an `agent` reply line).
package struct ProgramLaunch: Equatable, Sendable {
    /// The program and its arguments; `argv[0]` is a path or a name looked up on the program's `PATH`.
    package var argv: [String]
    /// The directory the program starts in (absolute).
    package var workingDirectory: String
    /// Variables set for the program over the worker's environment, as `KEY=VALUE` (the experiment's `env` and the
    /// allocator entry's own variables such as `MALLOC_CONF`).
    package var environment: [String]
    /// `LD_PRELOAD` for the program; nil: none (the C library's malloc).
    package var preload: String?
    /// After this long the program's process group is killed and the trial is `timeout`, in ms.
    package var timeoutMs: Int
    /// Time between two samples, in ms.
    package var sampleIntervalMs: Int
    /// `smaps_rollup` is read at every `smapsEvery`-th sample (it walks every mapping, so it costs more than `statm`).
    package var smapsEvery: Int
    /// The process tree (`/proc/[0-9]*/stat`) is scanned at every `treeEvery`-th sample.
    package var treeEvery: Int
    /// The allocator agent's shared object (`AllocatorAgent.library()`), or nil: no agent.
    package var agentLibrary: String?

    package init(
        argv: [String], workingDirectory: String, environment: [String] = [], preload: String? = nil, timeoutMs: Int,
        sampleIntervalMs: Int, smapsEvery: Int = 10, treeEvery: Int = 5, agentLibrary: String? = nil
    ) {
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.preload = preload
        self.timeoutMs = timeoutMs
        self.sampleIntervalMs = sampleIntervalMs
        self.smapsEvery = smapsEvery
        self.treeEvery = treeEvery
        self.agentLibrary = agentLibrary
    }

    /// The request arguments that say which program.
    var arguments: [String] {
        var arguments = [
            "--program-argv", NetstringList.encode(argv), "--program-cwd", workingDirectory,
            "--program-env", NetstringList.encode(environment), "--program-timeout-ms", String(timeoutMs),
            "--sample-interval-ms", String(sampleIntervalMs), "--smaps-every", String(smapsEvery), "--tree-every", String(treeEvery),
        ]
        if let preload { arguments += ["--program-preload", preload] }
        if let agentLibrary { arguments += ["--agent-library", agentLibrary] }
        return arguments
    }

    /// Takes the program's arguments out of `values` (`--key` → value); called once `--program-argv` is known present.
    init(taking values: inout [String: String]) throws(WorkerProtocolError) {
        func take(_ key: String) throws(WorkerProtocolError) -> String {
            guard let value = values.removeValue(forKey: key) else { throw .malformed("missing \(key)") }
            return value
        }
        func positive(_ key: String) throws(WorkerProtocolError) -> Int {
            let text = try take(key)
            guard let value = Int(text), value >= 1 else { throw .malformed("\(key) must be a positive integer, got \(text)") }
            return value
        }
        guard let argv = NetstringList.decode(try take("--program-argv")), let first = argv.first, !first.isEmpty else {
            throw .malformed("--program-argv: expected a non-empty netstring list (7:python3,2:-c,...)")
        }
        guard let environment = NetstringList.decode(try take("--program-env")),
            environment.allSatisfy({ ($0.firstIndex(of: "=") ?? $0.startIndex) != $0.startIndex })
        else { throw .malformed("--program-env: expected a netstring list of KEY=VALUE entries") }
        let directory = try take("--program-cwd")
        guard directory.hasPrefix("/") else { throw .malformed("--program-cwd must be an absolute path, got \(directory)") }
        self.init(
            argv: argv, workingDirectory: directory, environment: environment, preload: values.removeValue(forKey: "--program-preload"),
            timeoutMs: try positive("--program-timeout-ms"), sampleIntervalMs: try positive("--sample-interval-ms"),
            smapsEvery: try positive("--smaps-every"), treeEvery: try positive("--tree-every"),
            agentLibrary: values.removeValue(forKey: "--agent-library"))
    }
}
