// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode and explicit existentials.
let sharedSwiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// The worker's modules import neither the concurrency nor the regex runtime, so the worker process does not
/// load them: every shared library it loads is resident memory in every trial's baseline.
let leanSwiftSettings: [SwiftSetting] = sharedSwiftSettings + [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
    ]),
]

/// The lab's library targets, lowest layer first.
let labLibraryTargets = [
    "LayoutLabProtocol", "LayoutLabSampling", "LayoutLabStatistics", "LayoutLabModel", "LayoutLabHost",
    "LayoutLabTables", "LayoutLabExperiments", "LayoutLabCodegen", "LayoutLabResults", "LayoutLabAnalysis",
    "LayoutLabReports", "LayoutLabRunner", "LayoutLabCalibration",
]

let package = Package(
    name: "LayoutLab",
    products: [
        .executable(name: "layoutlab", targets: ["layoutlab"]),
        .executable(name: "layoutlab-worker", targets: ["layoutlab-worker"]),
        .executable(name: "layoutlab-baseline", targets: ["layoutlab-baseline"]),
        // The lab as a library: every layer, for a program that runs, reads or analyses experiments itself.
        .library(name: "LayoutLab", targets: labLibraryTargets),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // What Swift cannot reach: allocator entry points found with dlsym, malloc_usable_size, mallinfo2,
        // and the Swift runtime's allocation hook. Linux only; links libdl.
        .target(
            name: "CLayoutLabShims",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // The layers below, each a target, so the compiler refuses an arrow that runs backwards (README
        // "Architecture" draws them). Lowest first; each depends only on targets listed above it.

        // Foundation-free: what the lab and the worker say to each other (request, reply, phase specs, the
        // sample record). Shared by the worker (which must stay lean), the code generator and the lab.
        .target(
            name: "LayoutLabProtocol",
            swiftSettings: leanSwiftSettings
        ),
        // Foundation-free: /proc readers and parsers, samplers, allocator statistics, cost counters.
        .target(
            name: "LayoutLabSampling",
            dependencies: ["LayoutLabProtocol", "CLayoutLabShims"],
            swiftSettings: leanSwiftSettings
        ),
        // Pure statistics: Student's t, the confidence interval of a mean, Holm–Bonferroni.
        .target(
            name: "LayoutLabStatistics",
            swiftSettings: sharedSwiftSettings
        ),
        // What every layer names: the experiment, its trials and their plan, a trial's result and record,
        // precision and disturbance verdicts, LabError, atomic files.
        .target(
            name: "LayoutLabModel",
            dependencies: ["LayoutLabProtocol", "LayoutLabStatistics"],
            swiftSettings: sharedSwiftSettings
        ),
        // What asks the host: child processes, helper commands, shared-library resolution, the Python probe.
        .target(
            name: "LayoutLabHost",
            dependencies: ["LayoutLabModel", "LayoutLabSampling", "CLayoutLabShims"],
            swiftSettings: sharedSwiftSettings
        ),
        // The CSV and text tables the lab writes: trials, samples, phases, per-node.
        .target(
            name: "LayoutLabTables",
            dependencies: ["LayoutLabModel", "LayoutLabProtocol"],
            swiftSettings: sharedSwiftSettings
        ),
        // Experiment files: strict JSON parsing and validation, with every problem's JSON path.
        .target(
            name: "LayoutLabExperiments",
            dependencies: ["LayoutLabModel", "LayoutLabProtocol", "LayoutLabTables"],
            swiftSettings: sharedSwiftSettings
        ),
        // Layout code generation: the Swift source of each layout and its compiled shared library.
        .target(
            name: "LayoutLabCodegen",
            dependencies: ["LayoutLabModel", "LayoutLabProtocol", "LayoutLabHost"],
            swiftSettings: sharedSwiftSettings
        ),
        // A results folder: writing and reading it, environment.json, merging shards.
        .target(
            name: "LayoutLabResults",
            dependencies: [
                "LayoutLabModel", "LayoutLabSampling", "LayoutLabTables", "LayoutLabExperiments", "LayoutLabHost",
                "CLayoutLabShims", .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // What a folder's figures say: summaries, comparisons of two folders, chart data.
        .target(
            name: "LayoutLabAnalysis",
            dependencies: [
                "LayoutLabModel", "LayoutLabProtocol", "LayoutLabStatistics", "LayoutLabTables", "LayoutLabExperiments",
                "LayoutLabResults", .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // What the lab writes for readers: report.md, chart data and charts, comparison tables.
        .target(
            name: "LayoutLabReports",
            dependencies: ["LayoutLabModel", "LayoutLabProtocol", "LayoutLabTables", "LayoutLabHost", "LayoutLabResults", "LayoutLabAnalysis"],
            swiftSettings: sharedSwiftSettings
        ),
        // Running a suite: the plan, worker processes (Swift and Python), the lab lock, callgrind, Slurm; bisecting builds.
        .target(
            name: "LayoutLabRunner",
            dependencies: [
                "LayoutLabModel", "LayoutLabProtocol", "LayoutLabSampling", "LayoutLabTables", "LayoutLabExperiments", "LayoutLabHost",
                "LayoutLabCodegen", "LayoutLabResults", "LayoutLabAnalysis", "LayoutLabReports",
            ],
            // Agent/ holds the allocator agent and the statistics header it shares with CLayoutLabShims (which includes
            // it from here: only a target's own folder can ship a resource).
            resources: [.copy("Python/python_worker.py"), .copy("Tracer/layoutlab_tracer.c"), .copy("Agent")],
            swiftSettings: sharedSwiftSettings
        ),
        // The lab measuring itself (`layoutlab calibrate`).
        .target(
            name: "LayoutLabCalibration",
            dependencies: [
                "LayoutLabModel", "LayoutLabProtocol", "LayoutLabSampling", "LayoutLabExperiments", "LayoutLabHost",
                "LayoutLabCodegen", "LayoutLabTables", "LayoutLabResults", "LayoutLabAnalysis", "LayoutLabRunner",
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "layoutlab",
            dependencies: [
                "LayoutLabModel", "LayoutLabProtocol", "LayoutLabHost", "LayoutLabExperiments", "LayoutLabCodegen", "LayoutLabResults",
                "LayoutLabAnalysis", "LayoutLabReports", "LayoutLabRunner", "LayoutLabCalibration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // One trial in one fresh process: loads the generated layout library, samples, replies on stdout.
        .executableTarget(
            name: "layoutlab-worker",
            dependencies: ["LayoutLabProtocol", "LayoutLabSampling", "CLayoutLabShims"],
            swiftSettings: leanSwiftSettings
        ),
        // The hand-written loop the lab's allocate timings are compared with (no harness at all).
        .executableTarget(
            name: "layoutlab-baseline",
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "LayoutLabTests",
            dependencies: labLibraryTargets.map { .target(name: $0) } + ["CLayoutLabShims", "layoutlab", "layoutlab-worker"]
                + [.product(name: "CSV", package: "CSV.swift")],
            resources: [.copy("Fixtures")],
            swiftSettings: sharedSwiftSettings
        ),
    ]
)
