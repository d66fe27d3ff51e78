import LayoutLabProtocol

/// One experiment file, validated: the trials it asks for are layouts × shapes × nodes × allocators ×
/// repetitions, each sampled at `checkpoints` points of its allocate phase; or, with `traces`, traces × allocators ×
/// repetitions, each sampled at `checkpoints` points of its replay.
public struct Experiment: Equatable, Sendable {
    public var name: String
    public var description: String
    public var layouts: [LayoutKind]
    public var shapes: [Shape]
    /// Node counts, each a separate trial.
    public var nodes: [Int]
    public var allocators: [AllocatorSpec]
    public var repetitions: Int
    /// Samples per phase after the baseline.
    public var checkpoints: Int
    /// When `smaps_rollup` is read.
    package var smaps: SamplingSchedule
    /// When allocator statistics are read after `allocate`; nil: every checkpoint, except glibc's `mallinfo2`
    /// at phase boundaries (it walks every free chunk).
    package var allocatorSchedule: SamplingSchedule?
    /// Nodes rebuilt after the phase with the allocation counter on, to measure requested and usable bytes.
    public var probeNodes: Int
    /// The workload, in order; the first is always `allocate`.
    package var phases: [PhaseSpec]
    /// Seeds random orders and churn (a permutation of the nodes); recorded in `phases.csv`.
    public var seed: UInt64
    /// The interpreters that run Python layouts, in the file's order (`"python": "python3"` by default, or a list
    /// such as `["3.8", "3.12"]`), each resolved to a path; empty for an experiment read without probing the host
    /// and without a results folder's record. Several make the interpreter a trial dimension of Python layouts.
    public var pythons: [PythonInterpreter] = []
    /// Seconds after which a worker is killed and its trial recorded as `timeout`; nil: the run's default.
    public var trialTimeoutSeconds: Double?
    /// Extra repetitions until a metric's interval is narrow enough (`"precision"`); nil: the planned ones only.
    public var precision: PrecisionTarget?
    /// Run-time exclusivity checks in the generated code (`checked`, the compiler's default).
    public var exclusivity: ExclusivityChecking = .checked
    /// Where instruction counts come from: the PMU (`hardware`, empty cells without one), a second run of each
    /// Swift trial under callgrind (`valgrind`), or nowhere (`off`).
    package var instructions: InstructionCounting = .hardware
    /// How many times a trial the machine disturbed (`TrialDisturbance`) is run again, at most
    /// (`"rerun_disturbed"`, 0 … `maximumRerunsOfDisturbed`); 0 marks disturbed trials and keeps them.
    public var rerunDisturbed = 0
    /// Thread counts, each a separate trial (`"threads": [1, 2, 4]`); nil: every trial is the worker's one thread,
    /// sampling between its own work (the lab's classic trial). With a list, every count, 1 included, runs its
    /// work on that many threads of a pool started before the baseline while the worker's main thread samples.
    public var threads: [Int]?
    /// `"python_gc_freeze"`: Python workers call `gc.freeze()` just before a `fork` phase forks.
    public var pythonGCFreeze = false
    /// `"traces"`: allocation traces replayed under each allocator instead of nodes built (then `layouts`, `shapes`
    /// and `nodes` are not given, and trials are traces × allocators × repetitions); nil: the classic node trials.
    public var traces: [TraceSource]?
    /// `"programs"`: real programs run as trials under each allocator, sampled from outside by a monitor worker
    /// (then `layouts`, `shapes` and `nodes` are not given, and trials are programs × allocators × repetitions);
    /// nil: the classic node trials.
    public var programs: [ProgramSource]?
    /// `"sample_interval_ms"`: how often a program trial's monitor samples the program, in ms.
    public var sampleIntervalMs = Experiment.defaultSampleIntervalMs
    /// `"allocator_sample_interval_ms"`: how often the allocator agent inside a program trial reads the allocator's own
    /// figures, in ms (rows of `samples.csv` beside the monitor's); nil: at the program's exit only.
    public var allocatorSampleIntervalMs: Int?
    /// The file it came from.
    public var sourcePath: String

    /// The thread counts trials run with: `threads`, or one classic trial (nil) per configuration.
    public var threadCounts: [Int?] { threads.map { $0.map(Optional.some) } ?? [nil] }

    public static let defaultCheckpoints = 100
    public static let defaultSampleIntervalMs = 10
    public static let defaultProbeNodes = 65_536
    public static let maximumRerunsOfDisturbed = 10

    package init(
        name: String, description: String = "", layouts: [LayoutKind] = LayoutKind.swiftLayouts, shapes: [Shape],
        nodes: [Int], allocators: [AllocatorSpec] = [.system], repetitions: Int = 1,
        checkpoints: Int = Experiment.defaultCheckpoints, smaps: SamplingSchedule = .boundaries,
        probeNodes: Int = Experiment.defaultProbeNodes, phases: [PhaseSpec] = [PhaseSpec(.allocate)], seed: UInt64 = 1,
        trialTimeoutSeconds: Double? = nil, sourcePath: String = ""
    ) {
        self.name = name
        self.description = description
        self.layouts = layouts
        self.shapes = shapes
        self.nodes = nodes
        self.allocators = allocators
        self.repetitions = repetitions
        self.checkpoints = checkpoints
        self.smaps = smaps
        allocatorSchedule = nil
        self.probeNodes = probeNodes
        self.phases = phases
        self.seed = seed
        self.trialTimeoutSeconds = trialTimeoutSeconds
        self.sourcePath = sourcePath
    }
}
