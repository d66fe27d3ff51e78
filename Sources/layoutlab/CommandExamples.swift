/// The "Examples:" paragraph of each subcommand's `--help`: commands a user can paste, from the README.
enum CommandExamples {
    static let run = examples([
        ("the default suite; results in results/default/<UTC time>", "layoutlab run experiments/default.json"),
        ("into a folder of your choice, no progress lines", "layoutlab run experiments/phases.json --out /tmp/phases --quiet"),
        ("finish a run stopped with Ctrl-C", "layoutlab run --resume results/default/latest"),
        ("the second of three slices of a large suite", "layoutlab run experiments/allocators.json --shard 2/3 --out /tmp/shard-2"),
        ("replay a recorded trace (\"traces\") under four allocators", "scripts/record-cpython-dict-trace.sh && layoutlab run experiments/trace-replay.json"),
        ("real programs (\"programs\": python3, sqlite3, xz) as trials under four allocators", "layoutlab run experiments/programs.json"),
    ])
    static let validate = examples([
        ("check files and this machine's memory, run nothing", "layoutlab validate experiments/*.json"),
        ("check the files only", "layoutlab validate my-experiment.json --no-memory-check"),
    ])
    static let compare = examples([
        ("every allocator of a run against glibc's (`system`)", "layoutlab compare results/allocators/latest --by allocator --baseline system"),
        ("the same trials in two runs; exit 1 on a regression", "layoutlab compare results/before results/after --fail-above 2"),
        ("two builds interleaved in one run (both listed as allocators)", "layoutlab compare results/guard/latest --by allocator --baseline je-old --fail-above 5"),
        ("the machines of a merged sharded run", "layoutlab compare /shared/merged --by host"),
        ("also github-action-benchmark's JSON of B's figures", "layoutlab compare results/before results/after --export github-benchmark --export-file bench.json"),
    ])
    static let trend = examples([
        ("four nightly runs, oldest first; table, trend.csv and charts in the newest folder's trend/", "layoutlab trend results/nightly/2026-11-01 results/nightly/2026-11-02 results/nightly/2026-11-03 results/nightly/2026-11-04"),
        ("one metric, folders named by allocator version, output of your choice", "layoutlab trend results/je-* --metric usable_bytes_per_node --label-by allocator_version --out /tmp/je-trend"),
        ("a CI gate on the newest run, with Bencher's JSON", "layoutlab trend results/nightly/* --fail-on-regression --export bencher --export-file bmf.json"),
    ])
    static let bisect = examples([
        ("eight builds of one allocator, the first known good; exit 1 naming the first that regresses",
         "layoutlab bisect experiments/guard.json --allocator je-new --builds /builds/je-{1..8}/lib/libjemalloc.so.2"),
        ("decide by allocation time, 5 % beyond noise, into a folder of your choice",
         "layoutlab bisect guard.json --builds good.so b2.so b3.so b4.so --metric allocate_ns_per_node --fail-above 5 --out /tmp/bisect"),
    ])
    static let plot = examples([
        ("PNG and SVG charts into DIR/charts", "layoutlab plot results/default/latest"),
    ])
    static let report = examples([
        ("charts, then DIR/report.md", "layoutlab report results/default/latest"),
        ("the report alone, without gnuplot", "layoutlab report results/default/latest --no-charts"),
    ])
    static let calibrate = examples([
        ("measure the lab on this machine", "layoutlab calibrate"),
        ("keep the calibration runs in a folder of your choice", "layoutlab calibrate --out /tmp/calibration"),
    ])
    static let merge = examples([
        ("three shard folders into one", "layoutlab merge /shared/a/shard-1 /shared/a/shard-2 /shared/a/shard-3 --out /shared/a/merged"),
    ])
    static let slurm = examples([
        ("write the scripts and submit them", "layoutlab slurm experiments/allocators.json --shards 3 --partition big --out /shared/allocators --submit"),
        ("write the scripts only, to read first", "layoutlab slurm experiments/allocators.json --shards 3 --out /shared/allocators"),
    ])

    static let record = examples([
        ("trace a Python program's allocations", "layoutlab record --out build-dict.trace -- python3 -c 'd = {i: object() for i in range(100000)}'"),
        ("trace gzip compressing a file", "layoutlab record --out gzip.trace -- gzip -k -f /tmp/data.bin"),
    ])
    static let traceInfo = examples([
        ("what a trace holds: calls, peak live bytes, sizes, lifetimes", "layoutlab trace-info build-dict.trace"),
    ])

    /// "\n\nExamples:" and one indented comment and command per example.
    static func examples(_ items: [(what: String, command: String)]) -> String {
        "\n\nExamples:\n" + items.map { "  # \($0.what)\n  \($0.command)" }.joined(separator: "\n")
    }
}
