import Foundation

/// What produced a folder's measurements: the lab's commit (and whether its tree was dirty), the toolchain of
/// the generated code, the lab's build configuration, and the sha256 of the worker and runner executables.
/// `--resume` compares the folder's identity with its own and refuses to mix builds in one folder unless
/// `--allow-mixed-builds` says so, which records both (`environment.json`, `mixed_builds`) and the report says it.
public struct BuildIdentity: Codable, Sendable, Equatable {
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var swiftVersion: String?
    public var generatedCodeFlags: [String]
    public var labBuildConfiguration: String
    public var workerSha256: String?
    public var runnerSha256: String?

    public init(lab: EnvironmentRecord.Lab, toolchain: EnvironmentRecord.Toolchain) {
        gitCommit = lab.gitCommit
        gitDirty = lab.gitDirty
        workerSha256 = lab.workerSha256
        runnerSha256 = lab.runnerSha256
        swiftVersion = toolchain.swiftVersion
        generatedCodeFlags = toolchain.generatedCodeFlags
        labBuildConfiguration = toolchain.labBuildConfiguration
    }

    /// Each way `now` differs from `self` (the folder's), as "what: folder's → now's"; empty when the same. A
    /// figure the folder did not record (an older lab) counts as different: sameness cannot be shown.
    public func differences(to now: BuildIdentity) -> [String] {
        func text(_ value: String?) -> String { value.map { $0.count > 40 ? String($0.prefix(16)) + "…" : $0 } ?? "not recorded" }
        var found: [String] = []
        func compare(_ what: String, _ then: String?, _ current: String?) {
            if then != current { found.append("\(what): \(text(then)) → \(text(current))") }
        }
        compare("lab commit", gitCommit, now.gitCommit)
        compare("uncommitted changes", gitDirty.map { "\($0)" }, now.gitDirty.map { "\($0)" })
        compare("swift version", swiftVersion?.split(separator: "\n").first.map(String.init),
                now.swiftVersion?.split(separator: "\n").first.map(String.init))
        compare("generated-code flags", generatedCodeFlags.joined(separator: " "), now.generatedCodeFlags.joined(separator: " "))
        compare("lab build configuration", labBuildConfiguration, now.labBuildConfiguration)
        compare("worker sha256", workerSha256, now.workerSha256)
        compare("runner sha256", runnerSha256, now.runnerSha256)
        return found
    }
}

/// A resume that ran with a build other than the folder's (`--allow-mixed-builds`): the trials recorded from
/// row `trialsBefore + 1` of `trials.csv` on were measured by `build`.
public struct MixedBuild: Codable, Sendable {
    public var resumedUtc: String
    public var trialsBefore: Int
    public var build: BuildIdentity
    public var differences: [String]
}

/// `--resume` refused: the folder was measured by another build (exit 2, nothing runs).
public struct MixedBuildError: Error, CustomStringConvertible {
    public var directory: String
    public var differences: [String]

    public var description: String {
        "refusing to resume \(directory) with another build: its trials were measured by a different one\n"
            + differences.map { "  \($0)" }.joined(separator: "\n")
            + "\nresume with the build that started the folder, start a new folder, or pass --allow-mixed-builds to record both and mark the folder mixed"
    }
}
