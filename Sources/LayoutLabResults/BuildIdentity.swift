import Foundation
import LayoutLabModel

/// What produced a folder's measurements: the lab's commit (and whether its tree was dirty), the toolchain of
/// the generated code, the lab's build configuration, and the sha256 of the executables that measure (the
/// worker, the runner and, for Python layouts, the Python worker script). `--resume` compares the folder's
/// identity with its own (`ResumeBuildCheck`) and refuses to mix builds in one folder unless
/// `--allow-mixed-builds` says so, which records both (`environment.json`, `mixed_builds`) and the report says it.
public struct BuildIdentity: Codable, Sendable, Equatable {
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var swiftVersion: String?
    public var generatedCodeFlags: [String]
    public var labBuildConfiguration: String
    public var workerSha256: String?
    public var runnerSha256: String?
    /// sha256 of `python_worker.py`; nil for an experiment without Python layouts.
    public var pythonWorkerSha256: String?

    public init(lab: EnvironmentRecord.Lab, toolchain: EnvironmentRecord.Toolchain) {
        gitCommit = lab.gitCommit
        gitDirty = lab.gitDirty
        workerSha256 = lab.workerSha256
        runnerSha256 = lab.runnerSha256
        pythonWorkerSha256 = lab.pythonWorkerSha256
        swiftVersion = toolchain.swiftVersion
        generatedCodeFlags = toolchain.generatedCodeFlags
        labBuildConfiguration = toolchain.labBuildConfiguration
    }

    /// Whether `now` measures with byte-identical executables: the worker's and the runner's sha256 (and the
    /// Python worker's, where one is recorded) are recorded on both sides and equal.
    public func sameExecutables(as now: BuildIdentity) -> Bool {
        guard let workerSha256, let runnerSha256 else { return false }
        return workerSha256 == now.workerSha256 && runnerSha256 == now.runnerSha256 && pythonWorkerSha256 == now.pythonWorkerSha256
    }

    /// Each way `now` differs from `self` (the folder's), as "what: folder's → now's"; both empty when the same.
    /// A figure the folder did not record (an older lab) counts as different: sameness cannot be shown.
    /// `measuring` is what changes the measurements (toolchain, flags, configuration, executables) and refuses
    /// a resume. A changed lab commit or uncommitted-changes flag is `sourceOnly` when the executables are
    /// byte-identical (a README edit, a commit of what was built): recorded, not refused. When they are not,
    /// it is listed in `measuring` beside the executables' difference, as what explains it.
    public func differences(to now: BuildIdentity) -> (measuring: [String], sourceOnly: [String]) {
        func text(_ value: String?) -> String { value.map { $0.count > 40 ? String($0.prefix(16)) + "…" : $0 } ?? "not recorded" }
        func difference(_ what: String, _ then: String?, _ current: String?) -> [String] {
            then == current ? [] : ["\(what): \(text(then)) → \(text(current))"]
        }
        let source = difference("lab commit", gitCommit, now.gitCommit)
            + difference("uncommitted changes", gitDirty.map { "\($0)" }, now.gitDirty.map { "\($0)" })
        let measuring = difference("swift version", swiftVersion?.split(separator: "\n").first.map(String.init),
                                   now.swiftVersion?.split(separator: "\n").first.map(String.init))
            + difference("generated-code flags", generatedCodeFlags.joined(separator: " "), now.generatedCodeFlags.joined(separator: " "))
            + difference("lab build configuration", labBuildConfiguration, now.labBuildConfiguration)
            + difference("worker sha256", workerSha256, now.workerSha256)
            + difference("runner sha256", runnerSha256, now.runnerSha256)
            + difference("python worker sha256", pythonWorkerSha256, now.pythonWorkerSha256)
        return sameExecutables(as: now) ? (measuring, source) : (source + measuring, [])
    }
}

/// A resume that ran with a build other than the folder's (`--allow-mixed-builds`): the trials recorded from
/// row `trialsBefore + 1` of `trials.csv` on were measured by `build`, `allocators` and `python`.
public struct MixedBuild: Codable, Sendable {
    public var resumedUtc: String
    public var trialsBefore: Int
    public var build: BuildIdentity
    public var differences: [String]
    /// The allocators the resume loaded, as `environment.json` `allocators` records them (nil in older folders).
    public var allocators: [EnvironmentRecord.Allocator]?
    /// The resume's Python interpreter, for an experiment with Python layouts (the first of `pythons`).
    public var python: PythonInterpreter?
    /// Every interpreter of the resume, in the file's order.
    public var pythons: [PythonInterpreter]?

    package init(
        resumedUtc: String, trialsBefore: Int, build: BuildIdentity, differences: [String],
        allocators: [EnvironmentRecord.Allocator]? = nil, pythons: [PythonInterpreter] = []
    ) {
        self.pythons = pythons.isEmpty ? nil : pythons
        let python = pythons.first
        self.resumedUtc = resumedUtc
        self.trialsBefore = trialsBefore
        self.build = build
        self.differences = differences
        self.allocators = allocators
        self.python = python
    }
}

/// A resume whose lab source differed from the folder's (another commit, or the uncommitted-changes flag) while
/// every executable that measures was byte-identical: not a mixed build, recorded so the commit stays traceable
/// (`environment.json`, `lab_source_changes`).
public struct LabSourceChange: Codable, Sendable {
    public var resumedUtc: String
    public var trialsBefore: Int
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var differences: [String]

    package init(
        resumedUtc: String, trialsBefore: Int, gitCommit: String? = nil, gitDirty: Bool? = nil, differences: [String]
    ) {
        self.resumedUtc = resumedUtc
        self.trialsBefore = trialsBefore
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.differences = differences
    }
}

/// `--resume` refused: the folder was measured by another build (exit 2, nothing runs).
public struct MixedBuildError: LabError {
    public var directory: String
    public var differences: [String]
    public var exitStatus: LabExitStatus { .badInput }
    public var message: String { description }

    package init(directory: String, differences: [String]) {
        self.directory = directory
        self.differences = differences
    }

    public var description: String {
        "refusing to resume \(directory) with another build: its trials were measured by a different one\n"
            + differences.map { "  \($0)" }.joined(separator: "\n")
            + "\nresume with the build that started the folder, start a new folder, or pass --allow-mixed-builds to record both and mark the folder mixed"
    }
}
