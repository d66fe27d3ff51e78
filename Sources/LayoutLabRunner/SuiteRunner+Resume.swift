import Foundation
import LayoutLabCodegen
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabResults

/// `layoutlab run --resume`: finishing a stopped folder with the build that started it.
extension SuiteRunner {
    /// Finishes a stopped run: loads the folder's copy of the experiment, keeps every recorded trial and runs
    /// only the ones missing from its journal (`trials.journal`, or `trials.csv` for a folder from before it) (and the extra repetitions a precision target still asks for).
    /// A complete folder is left byte for byte as it was (`nothingToResume`). A folder measured by another
    /// build (toolchain, worker, runner, an allocator's library, the Python interpreter: `ResumeBuildCheck`) is
    /// refused with `MixedBuildError` unless `allowMixedBuilds`, which records the resume's build beside the
    /// folder's. The check runs before waiting for the lab lock (so a refusal does not wait) and again, the
    /// one that counts, on the folder as re-read under the lock.
    public func resume(_ directory: URL) throws -> ExperimentRun {
        try checkWorker()
        var (previous, folder) = try Self.openForResume(directory)
        if previous.status == .complete, remainingTrials(in: folder, shard: previous.shard).isEmpty {
            var run = folder.run
            run.nothingToResume = true
            return run
        }
        try refuseMixed(buildCheck(of: previous, experiment: folder.experiment), in: directory)
        let lockWait = try takeLabLock([folder.experiment.name])
        // Read again under the lock: another resume of this folder may have run while this one waited, and the
        // worker or an allocator's library may have been rebuilt meanwhile.
        (previous, folder) = try Self.openForResume(directory)
        if previous.status == .complete, remainingTrials(in: folder, shard: previous.shard).isEmpty {
            var run = folder.run
            run.nothingToResume = true
            return run
        }
        let experiment = folder.experiment
        let check = try buildCheck(of: previous, experiment: experiment)
        try refuseMixed(check, in: directory)
        // The runner is the folder's only writer: temporary files of a killed run can go.
        AtomicFile.removeLeftovers(in: directory)
        folder.disturbedAttempts.removeLeftovers()
        var environment = previous
        let resumed = EnvironmentProbe.utcTimestamp()
        environment.resumedUtc = (environment.resumedUtc ?? []) + [resumed]
        environment.status = .running
        environment.stopReason = nil
        environment.labLock = (environment.labLock ?? []) + (lockWait.map { [$0] } ?? [])
        if !check.measuring.isEmpty {
            environment.mixedBuilds = (environment.mixedBuilds ?? []) + [MixedBuild(
                resumedUtc: resumed, trialsBefore: folder.records.count, build: check.build, differences: check.measuring,
                allocators: check.allocatorRecords(of: experiment), pythons: experiment.pythons)]
        }
        if !check.sourceOnly.isEmpty {
            environment.labSourceChanges = (environment.labSourceChanges ?? []) + [LabSourceChange(
                resumedUtc: resumed, trialsBefore: folder.records.count, gitCommit: check.build.gitCommit,
                gitDirty: check.build.gitDirty, differences: check.sourceOnly)]
        }
        let progress = ProgressReporter(enabled: options.showProgress)
        defer { progress.finish() }
        return try run(
            into: folder, compiled: try compiledLibrary(for: experiment), allocators: check.allocators,
            environment: environment, progress: progress)
    }

    /// The folder's build against the one a resume would measure with now (allocators resolved again).
    private func buildCheck(of previous: EnvironmentRecord, experiment: Experiment) throws -> ResumeBuildCheck {
        let builder = LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory)
        let build = BuildIdentity(
            lab: labRecord(for: experiment),
            toolchain: toolchain(
                compilerVersion: try builder.compilerVersion(),
                flags: LayoutLibraryBuilder.compilerFlags(exclusivity: experiment.exclusivity)))
        return ResumeBuildCheck(
            folder: previous, experiment: experiment, build: build, allocators: try Self.resolveAllocators(of: experiment))
    }

    private func refuseMixed(_ check: ResumeBuildCheck, in directory: URL) throws {
        if !check.measuring.isEmpty, !options.allowMixedBuilds {
            throw MixedBuildError(directory: directory.path, differences: check.measuring)
        }
    }

    /// A stopped folder's environment record and its trials, from its own copy of the experiment (refused if
    /// that copy changed since the run started).
    static func openForResume(_ directory: URL) throws -> (EnvironmentRecord, ResultsFolder) {
        let environmentURL = directory.appendingPathComponent(ResultsFolder.environmentFile)
        guard let data = FileManager.default.contents(atPath: environmentURL.path) else {
            throw ResultsFolderError.notAResultsFolder(directory: directory.path, lacking: ResultsFolder.environmentFile)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let previous = try decoder.decode(EnvironmentRecord.self, from: data)
        let copy = directory.appendingPathComponent(ResultsFolder.experimentFile)
        // Relative paths (trace files) are read beside the experiment file the run started from, not beside the copy.
        let experiment = try ExperimentLoader.checkingThisHost.load(path: copy.path, relativeTo: previous.experiment.path)
        if let recorded = previous.experiment.sha256, let now = EnvironmentProbe.sha256(of: copy.path), recorded != now {
            throw ResultsFolderError.experimentChanged(file: copy.path, sha256: now, recorded: recorded)
        }
        return (previous, try ResultsFolder(resuming: directory, experiment: experiment))
    }

    /// What a resume still has to run: the slice's planned trials missing from the folder, or, when none is,
    /// the configurations a precision target asks more of.
    private func remainingTrials(in folder: ResultsFolder, shard: Shard?) -> [Trial] {
        let done = folder.finishedTrialIDs
        let missing = (shard?.trials(of: folder.experiment) ?? TrialPlan.trials(for: folder.experiment)).filter { !done.contains($0.id) }
        return missing.isEmpty ? extraRound(in: folder, shard: shard) : missing
    }
}
