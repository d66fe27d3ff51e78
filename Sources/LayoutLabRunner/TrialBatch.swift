import Foundation
import LayoutLabCodegen
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabResults
import LayoutLabSampling

/// Runs a list of trials of one experiment one after another, each in a fresh worker, recording each in the
/// results folder before the next starts; stops early (returning false) when the run is interrupted.
struct TrialBatch {
    let folder: ResultsFolder
    let library: URL
    let allocators: [String: ResolvedAllocator]
    /// Trial id → why the memory preflight skips it.
    let oversized: [String: String]
    let launcher: WorkerLauncher
    /// The allocator agent preloaded into program trials (`AllocatorAgent.library()`); nil for other experiments.
    var agent: URL?
    /// Counts each Swift trial's instructions in a second run under callgrind (`"instructions": "valgrind"`).
    let callgrind: CallgrindPhaseCounter?
    let interruption: RunInterruption?
    let progress: ProgressReporter
    /// Where a run counts as disturbed; a disturbed run is run again up to the experiment's `rerunDisturbed` times.
    var bounds = DisturbanceBounds.onThisMachine
    /// The test hook that calls chosen runs disturbed (`LAYOUTLAB_FORCE_DISTURBED`).
    var forced: ForcedDisturbance?

    /// True when every trial was recorded.
    func run(_ trials: [Trial]) throws -> Bool {
        let experiment = folder.experiment
        for (index, trial) in trials.enumerated() {
            if interruption?.isStopped == true { return false }
            progress.willStart(trial, index: index, of: trials)
            if let message = oversized[trial.id] {
                let result = TrialResult(trial: trial, status: .skipped, message: message)
                progress.report(failure: result)
                try folder.record(result)
                continue
            }
            guard let allocator = allocators[trial.allocator.name] else { throw WorkerError.allocatorNotResolved(allocator: trial.allocator.name) }
            let layout: WorkerLayout = if let program = trial.program {
                .program(Self.launch(program, allocator: allocator, spec: trial.allocator, experiment: experiment, agent: agent))
            } else if let trace = trial.trace { .trace(path: trace.path) } else if trial.layout.isPython {
                .python(layout: trial.layout.rawValue, fields: trial.shape.fields.map { .init(name: $0.name, type: $0.typeToken) })
            } else {
                .generated(
                    libraryPath: library.path, entrySymbol: LayoutSourceGenerator.entrySymbol(shapeIndex: trial.shapeIndex, layout: trial.layout))
            }
            let request = WorkerRequest(
                trialID: trial.id, layout: layout,
                nodes: trial.nodes, checkpoints: experiment.checkpoints, smaps: experiment.smaps,
                allocatorSchedule: experiment.allocatorSchedule ?? (trial.allocator.statistics == .mallinfo2 ? .boundaries : .every),
                allocatorStatistics: trial.allocator.statistics, expectedMallocProvider: allocator.providerPath,
                probeNodes: trial.trace == nil && trial.program == nil ? SuiteRunner.probeNodes(for: trial, in: experiment) : 0, phases: experiment.phases, seed: experiment.seed,
                instructions: experiment.instructions == .off ? .off : .hardware, threads: trial.threads ?? 0,
                pythonGCFreeze: experiment.pythonGCFreeze)
            // A program trial's allocator variables travel in its request, for the program only (`ProgramLaunch`).
            var environment = trial.program == nil ? trial.allocator.environment : [:]
            var program: [String]?
            if trial.layout.isPython {
                guard let python = trial.python ?? experiment.python, let script = PythonInterpreter.workerScript else {
                    throw WorkerError.noPythonWorker(trialID: trial.id)
                }
                program = [python.path, script.path]
                // pymalloc would serve small objects from its own arenas, hiding them from the allocator measured;
                // an entry that sets PYTHONMALLOC itself (pymalloc under GLIBC_TUNABLES, say) keeps its own.
                if trial.allocator.name != AllocatorSpec.pymalloc.name, trial.allocator.environment["PYTHONMALLOC"] == nil {
                    environment["PYTHONMALLOC"] = "malloc"
                }
            }
            // The monitor of a program trial runs without the allocator: the program gets it.
            var result = try runJudged(
                request, trial: trial, preload: trial.program == nil ? allocator.preload : nil, environment: environment, program: program)
            result.pythonGCFreeze = request.pythonGCFreeze
            if interruption?.isStopped == true { return false }
            // Python layouts get no callgrind run: CPython under callgrind is slow, and the worker cannot mark
            // its stretches (no client requests from Python); their instructions stay empty.
            if let callgrind, result.status == .ok, !trial.layout.isPython, trial.trace == nil, trial.program == nil, interruption?.isStopped != true {
                let counted = callgrind.count(
                    into: &result, request: request, preload: allocator.preload, environment: environment,
                    logURL: folder.callgrindLogURL(for: trial), launcher: launcher, interruption: interruption)
                // The trial stays ok with empty counts; the terminal says why, as for a failed trial.
                if !counted, interruption?.isStopped != true { progress.report(failure: result) }
            }
            // The worker was killed by the stop, not by its own fault: the trial is missing, not failed.
            if interruption?.isStopped == true { return false }
            if result.status != .ok { progress.report(failure: result) }
            try folder.record(result)
        }
        return true
    }

    /// Runs a trial's worker and judges the run; while the run is disturbed and reruns are left, keeps it in
    /// `disturbed-attempts/` and runs the trial again. Attempts continue the count a resumed folder kept. Returns
    /// the last run, which the caller records (a stop during a rerun leaves the kept attempts, and no row).
    private func runJudged(
        _ request: WorkerRequest, trial: Trial, preload: String?, environment: [String: String], program: [String]?
    ) throws -> TrialResult {
        var attempt = folder.disturbedAttempts.attempts(of: trial.id) + 1
        while true {
            var attemptEnvironment = environment
            attemptEnvironment[WorkerLauncher.attemptVariable] = String(attempt)
            var result = launcher.run(
                request, trial: trial, preload: preload, environment: attemptEnvironment,
                logURL: folder.logURL(for: trial), interruption: interruption, program: program)
            result.attempt = attempt
            var disturbance = TrialDisturbance.judge(result, bounds: bounds)
            if result.status == .ok, forced?.applies(to: trial.id, attempt: attempt) == true {
                disturbance = ForcedDisturbance.forced(disturbance)
            }
            result.disturbance = disturbance
            guard disturbance.disturbed == true, attempt <= folder.experiment.rerunDisturbed, interruption?.isStopped != true
            else { return result }
            try folder.keepDisturbedAttempt(result)
            progress.report(rerunOf: result)
            attempt += 1
        }
    }

    /// What a program trial's monitor starts: the program, its directory and variables (the entry's `env` over the
    /// allocator entry's own, such as `MALLOC_CONF`), the allocator's library as its `LD_PRELOAD`, its timeout and the
    /// experiment's sampling interval, and the allocator agent (`AllocatorAgent`), preloaded after the allocator, told
    /// where the allocator's figures come from and how often to read them (`allocator_sample_interval_ms`; the monitor
    /// gives it its pipe, `LAYOUTLAB_AGENT_FD`, and the pipe's identity and the clock's epoch).
    static func launch(
        _ program: ProgramSource, allocator: ResolvedAllocator, spec: AllocatorSpec, experiment: Experiment, agent: URL?
    ) -> ProgramLaunch {
        var variables = spec.environment.merging(program.environment) { $1 }
        if agent != nil {
            let agentVariables = AllocatorAgent.environment(fd: 3, statistics: spec.statistics, intervalMs: experiment.allocatorSampleIntervalMs)
                .filter { $0.key != "LAYOUTLAB_AGENT_FD" }
            variables.merge(agentVariables) { $1 }
        }
        return ProgramLaunch(
            argv: program.command, workingDirectory: program.workingDirectory,
            environment: variables.keys.sorted().map { "\($0)=\(variables[$0] ?? "")" }, preload: allocator.preload,
            timeoutMs: program.timeoutSeconds * 1000, sampleIntervalMs: experiment.sampleIntervalMs, agentLibrary: agent?.path)
    }
}
