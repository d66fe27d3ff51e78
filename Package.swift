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

let package = Package(
    name: "LayoutLab",
    products: [
        .executable(name: "layoutlab", targets: ["layoutlab"]),
        .executable(name: "layoutlab-worker", targets: ["layoutlab-worker"]),
        .executable(name: "layoutlab-baseline", targets: ["layoutlab-baseline"]),
        .library(name: "LayoutLab", targets: ["LayoutLab"]),
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
        // Foundation-free: /proc readers and parsers, allocator statistics, the worker protocol.
        // Shared by the worker (which must stay lean) and the lab.
        .target(
            name: "LayoutLabSampling",
            dependencies: ["CLayoutLabShims"],
            swiftSettings: leanSwiftSettings
        ),
        // The lab: experiment model and validation, layout code generation, runner, CSV output, analysis.
        .target(
            name: "LayoutLab",
            dependencies: [
                "LayoutLabSampling",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Python/python_worker.py")],
            swiftSettings: sharedSwiftSettings
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "layoutlab",
            dependencies: [
                "LayoutLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // One trial in one fresh process: loads the generated layout library, samples, replies on stdout.
        .executableTarget(
            name: "layoutlab-worker",
            dependencies: ["LayoutLabSampling", "CLayoutLabShims"],
            swiftSettings: leanSwiftSettings
        ),
        // The hand-written loop the lab's allocate timings are compared with (no harness at all).
        .executableTarget(
            name: "layoutlab-baseline",
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "LayoutLabTests",
            dependencies: ["LayoutLab", "LayoutLabSampling", "layoutlab", "layoutlab-worker"],
            resources: [.copy("Fixtures")],
            swiftSettings: sharedSwiftSettings
        ),
    ]
)
