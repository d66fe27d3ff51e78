import Foundation
import LayoutLabModel
import LayoutLabResults

/// What `--resume` compares with the folder it resumes before running a trial: the build (`BuildIdentity`),
/// every allocator's library as resolved now (real path, sha256, environment) against the folder's
/// `allocators`, and the Python interpreter of Python layouts. The remaining trials load whatever library is
/// at the path today, so an allocator rebuilt or replaced since the start is another build as much as
/// another worker is.
struct ResumeBuildCheck {
    /// The resume's build, recorded in `mixed_builds` when it is another.
    var build: BuildIdentity
    /// The allocators the remaining trials will load, resolved now.
    var allocators: [String: ResolvedAllocator]
    /// Each way the remaining trials would be measured by another build ("what: folder's → now's"): refused
    /// unless `--allow-mixed-builds`.
    var measuring: [String]
    /// A changed lab commit or uncommitted-changes flag under byte-identical executables: recorded, not refused.
    var sourceOnly: [String]

    init(folder: EnvironmentRecord, experiment: Experiment, build: BuildIdentity, allocators: [String: ResolvedAllocator]) {
        self.build = build
        self.allocators = allocators
        let differences = BuildIdentity(lab: folder.lab, toolchain: folder.toolchain).differences(to: build)
        let records = experiment.allocators.compactMap { allocators[$0.name]?.record }
        measuring = differences.measuring
            + Self.allocatorDifferences(folder: folder.allocators, now: records)
            + Self.pythonDifferences(folder: folder.recordedPythons, now: experiment.pythons)
            + Self.traceDifferences(folder: folder.traces ?? [], now: experiment.traces ?? [])
        sourceOnly = differences.sourceOnly
    }

    /// The resume's allocator records, in the experiment's order.
    func allocatorRecords(of experiment: Experiment) -> [EnvironmentRecord.Allocator] {
        experiment.allocators.compactMap { allocators[$0.name]?.record }
    }

    /// "allocator NAME library: …", "… sha256: …", "… environment: …" for each allocator whose library or
    /// settings differ from the folder's record; an allocator the folder does not record counts as different.
    static func allocatorDifferences(folder: [EnvironmentRecord.Allocator], now: [EnvironmentRecord.Allocator]) -> [String] {
        func text(_ value: String?) -> String { value.map { $0.count > 40 ? String($0.prefix(16)) + "…" : $0 } ?? "not recorded" }
        func settings(_ environment: [String: String]) -> String {
            environment.isEmpty ? "none" : environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        var found: [String] = []
        for current in now {
            guard let recorded = folder.first(where: { $0.name == current.name }) else {
                found.append("allocator \(current.name): not recorded → \(current.libraryRealPath)")
                continue
            }
            if recorded.libraryRealPath != current.libraryRealPath {
                found.append("allocator \(current.name) library: \(recorded.libraryRealPath) → \(current.libraryRealPath)")
            }
            if recorded.sha256 != current.sha256 || current.sha256 == nil {
                found.append("allocator \(current.name) sha256: \(text(recorded.sha256)) → \(text(current.sha256))")
            }
            if recorded.environment != current.environment {
                found.append("allocator \(current.name) environment: \(settings(recorded.environment)) → \(settings(current.environment))")
            }
        }
        return found
    }

    /// "trace NAME: …" for each trace whose file is not the one the folder replayed (another path, another sha256 or
    /// event count): the remaining trials would replay other calls.
    static func traceDifferences(folder: [RecordedTrace], now: [TraceSource]) -> [String] {
        func text(_ value: String?) -> String { value.map { String($0.prefix(16)) + "…" } ?? "not recorded" }
        var found: [String] = []
        for current in now {
            guard let recorded = folder.first(where: { $0.name == current.name }) else {
                found.append("trace \(current.name): not recorded → \(current.path)")
                continue
            }
            if recorded.path != current.path { found.append("trace \(current.name) file: \(recorded.path) → \(current.path)") }
            if recorded.sha256 != current.sha256 || current.sha256 == nil {
                found.append("trace \(current.name) sha256: \(text(recorded.sha256)) → \(text(current.sha256))")
            }
            if recorded.events != current.events {
                found.append("trace \(current.name) events: \(recorded.events.map(String.init) ?? "not recorded") → \(current.events.map(String.init) ?? "unknown")")
            }
        }
        return found
    }

    /// The interpreters of Python layouts, each by real path, version and build, in the file's order.
    static func pythonDifferences(folder: [PythonInterpreter], now: [PythonInterpreter]) -> [String] {
        if folder.count <= 1, now.count <= 1 { return pythonDifferences(folder: folder.first, now: now.first, what: "python interpreter") }
        return (0..<max(folder.count, now.count)).flatMap { index in
            pythonDifferences(
                folder: index < folder.count ? folder[index] : nil, now: index < now.count ? now[index] : nil,
                what: "python interpreter \(index + 1)")
        }
    }

    /// One interpreter, by real path, version and build.
    static func pythonDifferences(folder: PythonInterpreter?, now: PythonInterpreter?, what name: String) -> [String] {
        guard folder != now else { return [] }
        func text(_ python: PythonInterpreter?) -> String { python.map { "\($0.version) (\($0.path))" } ?? "none" }
        let what = folder?.version == now?.version && folder?.path == now?.path ? " (another build: \(now?.build ?? "?"))" : ""
        return ["\(name): \(text(folder)) → \(text(now))\(what)"]
    }
}
