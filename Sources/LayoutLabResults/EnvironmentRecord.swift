import CLayoutLabShims
import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabSampling

/// `environment.json`: the machine, toolchain, lab version, experiment file and allocators a results folder
/// was measured with, so that every figure can be traced and the run repeated.
public struct EnvironmentRecord: Codable, Sendable {
    public struct Machine: Codable, Sendable {
        public var hostname: String
        /// `uname -s -r`, e.g. "Linux 6.1.0-18-amd64"; `kernelVersion` is `uname -v`.
        public var kernel: String
        public var kernelVersion: String
        public var cpuModel: String?
        public var onlineCores: Int
        public var pageSizeBytes: Int
        public var memTotalBytes: Int?
        public var transparentHugePages: String?
        /// Whether this machine's PMU counts instructions for an unprivileged thread: "instructions counted", or
        /// why not ("none: perf_event_open: No such file or directory" on most VMs).
        public var hardwareCounters: String? = nil
    }

    public struct Toolchain: Codable, Sendable {
        public var swiftVersion: String?
        public var generatedCodeFlags: [String]
        public var labBuildConfiguration: String
        /// `valgrind --version`, for experiments with `"instructions": "valgrind"`.
        public var valgrindVersion: String? = nil

        package init(
            swiftVersion: String? = nil, generatedCodeFlags: [String], labBuildConfiguration: String,
            valgrindVersion: String? = nil
        ) {
            self.swiftVersion = swiftVersion
            self.generatedCodeFlags = generatedCodeFlags
            self.labBuildConfiguration = labBuildConfiguration
            self.valgrindVersion = valgrindVersion
        }
    }

    public struct Lab: Codable, Sendable {
        public var gitCommit: String?
        public var gitDirty: Bool?
        public var commandLine: [String]
        /// sha256 of the worker executable and of the runner's own (nil in folders of older labs).
        public var workerSha256: String?
        public var runnerSha256: String?
        /// sha256 of the Python worker script (`python_worker.py`), for an experiment with Python layouts.
        public var pythonWorkerSha256: String? = nil
    }

    public struct ExperimentFile: Codable, Sendable {
        public var name: String
        public var path: String
        public var sha256: String?
        public var generatedSource: String

        package init(name: String, path: String, sha256: String? = nil, generatedSource: String) {
            self.name = name
            self.path = path
            self.sha256 = sha256
            self.generatedSource = generatedSource
        }
    }

    public struct Allocator: Codable, Sendable {
        public var name: String
        public var library: String
        public var libraryRealPath: String
        public var debianPackage: String?
        public var packageVersion: String?
        public var sha256: String?
        public var environment: [String: String]
        public var statistics: String
        /// "jemalloc 5.3.0-1": the name and package version, for chart subtitles.
        public var label: String

        package init(
            name: String, library: String, libraryRealPath: String, debianPackage: String? = nil,
            packageVersion: String? = nil, sha256: String? = nil, environment: [String: String], statistics: String,
            label: String
        ) {
            self.name = name
            self.library = library
            self.libraryRealPath = libraryRealPath
            self.debianPackage = debianPackage
            self.packageVersion = packageVersion
            self.sha256 = sha256
            self.environment = environment
            self.statistics = statistics
            self.label = label
        }
    }

    public var machine: Machine
    public var toolchain: Toolchain
    public var lab: Lab
    public var experiment: ExperimentFile
    public var allocators: [Allocator]

    /// The interpreters the folder's Python trials ran on: `pythons`, or `python` for an older folder.
    public var recordedPythons: [PythonInterpreter] { pythons ?? python.map { [$0] } ?? [] }
    /// The interpreter of the Python layouts, when the experiment has any (the first of `pythons`).
    public var python: PythonInterpreter?
    /// Every interpreter of the Python layouts, in the file's order (path, version, `sys.version` build); nil in
    /// folders from before lists of interpreters.
    public var pythons: [PythonInterpreter]?
    /// The trace files a trace experiment replayed (`"traces"`): each as written, the file it named, its event count
    /// and sha256 as read when the run started; nil for other experiments. A reading of the folder takes them from
    /// here and never opens the files; a resume compares them with the files as they are now.
    public var traces: [RecordedTrace]?
    /// The slice of the trials this folder holds, when the run was sharded.
    public var shard: Shard?
    /// The folders a merged folder was made of.
    public var mergedFrom: [MergedShard]?
    public var startedUtc: String
    public var finishedUtc: String?
    /// When the run was resumed with `--resume`, if ever.
    public var resumedUtc: [String]?
    /// `running`, `complete`, or `incomplete` (stopped early; `stopReason` says by what).
    public var status: RunStatus
    public var stopReason: String?
    /// The machine-wide lab lock: one entry per start and per `--resume`, with the time waited for it and
    /// the holders seen (see `LabLock`).
    public var labLock: [LabLockWait]?
    /// Resumes that ran with another build than the folder's (`--allow-mixed-builds`); nil when none did.
    public var mixedBuilds: [MixedBuild]?
    /// Resumes whose lab commit or uncommitted-changes flag differed while the executables were byte-identical
    /// (not refused, not mixed); nil when none did.
    public var labSourceChanges: [LabSourceChange]?

    package init(
        machine: Machine, toolchain: Toolchain, lab: Lab, experiment: ExperimentFile, allocators: [Allocator],
        python: PythonInterpreter? = nil, shard: Shard? = nil, mergedFrom: [MergedShard]? = nil, startedUtc: String,
        finishedUtc: String? = nil, resumedUtc: [String]? = nil, status: RunStatus, stopReason: String? = nil,
        labLock: [LabLockWait]? = nil, mixedBuilds: [MixedBuild]? = nil, labSourceChanges: [LabSourceChange]? = nil
    ) {
        self.machine = machine
        self.toolchain = toolchain
        self.lab = lab
        self.experiment = experiment
        self.allocators = allocators
        self.python = python
        pythons = python.map { [$0] }
        self.shard = shard
        self.mergedFrom = mergedFrom
        self.startedUtc = startedUtc
        self.finishedUtc = finishedUtc
        self.resumedUtc = resumedUtc
        self.status = status
        self.stopReason = stopReason
        self.labLock = labLock
        self.mixedBuilds = mixedBuilds
        self.labSourceChanges = labSourceChanges
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: url)
    }
}

/// One trace file of a trace experiment, as `environment.json` records it.
public struct RecordedTrace: Codable, Sendable, Equatable {
    public var name: String
    /// As written in the experiment file.
    public var file: String
    /// The file it named, resolved beside the experiment file.
    public var path: String
    public var events: Int?
    public var sha256: String?

    public init(_ trace: TraceSource) {
        name = trace.name
        file = trace.file
        path = trace.path
        events = trace.events
        sha256 = trace.sha256
    }

    /// The trace source it records.
    public var source: TraceSource { TraceSource(name: name, file: file, path: path, events: events, sha256: sha256) }
}

/// One folder a merged results folder came from, and the machine it ran on.
public struct MergedShard: Codable, Sendable {
    public var directory: String
    public var shard: Shard?
    public var hostname: String
    public var cpuModel: String?
    public var kernel: String
    public var status: RunStatus
}

/// Reads the facts `EnvironmentRecord` records from the running system.
public enum EnvironmentProbe {
    public static func machine() -> EnvironmentRecord.Machine {
        var names = utsname()
        uname(&names)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) }
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memTotal = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }.map { $0 * 1024 }
        let thp = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return EnvironmentRecord.Machine(
            hostname: ProcessInfo.processInfo.hostName, kernel: "\(text(names.sysname)) \(text(names.release))",
            kernelVersion: text(names.version),
            cpuModel: model, onlineCores: ProcessInfo.processInfo.activeProcessorCount,
            pageSizeBytes: Int(sysconf(Int32(_SC_PAGESIZE))), memTotalBytes: memTotal, transparentHugePages: thp,
            hardwareCounters: hardwareCounters())
    }

    /// Opens the worker's hardware counter group once in this process, as the worker will in its own.
    static func hardwareCounters() -> String {
        var counters = ll_hardware_counters()
        let error = ll_hardware_counters_open(&counters)
        guard error == 0 else { return "none: perf_event_open: \(String(cString: strerror(error)))" }
        ll_hardware_counters_close(&counters)
        return "instructions counted"
    }

    /// The folder holding `Package.swift`, found from this source file's compile-time path.
    public static func packageRoot(filePath: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    public static func lab(commandLine: [String], workerPath: String) -> EnvironmentRecord.Lab {
        let source = labSource()
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        return EnvironmentRecord.Lab(
            gitCommit: source.commit, gitDirty: source.dirty, commandLine: commandLine,
            workerSha256: sha256(of: workerPath), runnerSha256: sha256(of: runner))
    }

    /// The lab's git commit and whether its tree has uncommitted changes; nil where the tree or git is gone.
    static func labSource() -> (commit: String?, dirty: Bool?) {
        let root = packageRoot()
        let commit = root.flatMap { ExternalCommand.output(["git", "-C", $0.path, "rev-parse", "HEAD"]) }
        let dirty = root.flatMap { ExternalCommand.output(["git", "-C", $0.path, "status", "--porcelain", "--untracked-files=no"]) }
            .map { !$0.isEmpty }
        return (commit, dirty)
    }

    /// What `layoutlab --version` prints: the lab's git commit (the source tree it was built from, with
    /// "+ uncommitted changes" when dirty) and its build configuration, the two facts `environment.json`
    /// records about the lab. "commit unknown" where the source tree or git is gone.
    public static var labVersion: String {
        // Only what it prints: the sha256 of the executables `lab` also takes is not needed here, and the
        // version text is built for every command line the CLI parses.
        let source = labSource()
        let commit = source.commit.map { "commit \($0.prefix(12))" } ?? "commit unknown"
        return "layoutlab \(commit)\(source.dirty == true ? " + uncommitted changes" : ""), \(labBuildConfiguration) build"
    }

    public static var labBuildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    public static func sha256(of path: String) -> String? {
        ExternalCommand.output(["sha256sum", path])?.split(separator: " ").first.map(String.init)
    }

    /// The Debian package owning a file, and its version.
    public static func debianPackage(owning path: String, fallback: String?) -> (name: String?, version: String?) {
        let owner = ExternalCommand.output(["dpkg-query", "-S", path])?.split(separator: ":").first.map(String.init) ?? fallback
        let version = owner.flatMap { ExternalCommand.output(["dpkg-query", "-W", "-f=${Version}", $0]) }
        return (owner, version)
    }

    /// The real path of the C library (what `system` trials must find serving `malloc`).
    public static func cLibraryPath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard ll_c_library_path(&buffer, buffer.count) == 0 else { return nil }
        return URL(fileURLWithPath: String(nulTerminated: buffer)).resolvingSymlinksInPath().path
    }

    public static func utcTimestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
