import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol

/// `threads`, `remote-free`, `fork` and `python_gc_freeze`: what they decode to, and every refusal with its path.
extension ExperimentValidationTests {
    /// The valid file with `members` added at the top level.
    static func with(_ members: String) -> String {
        valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \(members)")
    }

    static let processBadCases: [BadCase] = [
        BadCase(label: "no threads", text: with(#""threads": []"#), path: "$.threads", message: "non-empty list"),
        BadCase(label: "zero threads", text: with(#""threads": [1, 0]"#), path: "$.threads[1]", message: "a number of threads from 1 to 256, got 0"),
        BadCase(label: "too many threads", text: with(#""threads": [257]"#), path: "$.threads[0]", message: "from 1 to 256, got 257"),
        BadCase(label: "threads as a number", text: with(#""threads": 4"#), path: "$.threads", message: "expected a list"),
        BadCase(label: "duplicate thread count", text: with(#""threads": [1, 2, 2]"#), path: "$.threads[2]", message: "duplicate thread count"),
        BadCase(label: "remote-free without threads", text: with(#""phases": ["allocate", "remote-free"]"#), path: "$.phases[1]", message: "expected \"threads\"", schemaCatches: false),
        BadCase(label: "work after remote-free", text: with(#""threads": [2], "phases": ["allocate", "remote-free", "traverse"]"#), path: "$.phases[2]", message: "only \"purge\", \"idle\" or \"allocate-warm\" after \"remote-free\" (at $.phases[1])", schemaCatches: false),
        BadCase(label: "fork with threads", text: with(#""threads": [2], "phases": ["allocate", "fork"]"#), path: "$.phases[1]", message: "expected no \"threads\" with a \"fork\" phase", schemaCatches: false),
        BadCase(label: "fork after free-all", text: with(#""phases": ["allocate", "free-all", "fork"]"#), path: "$.phases[2]", message: "after \"free-all\"", schemaCatches: false),
        BadCase(label: "no children", text: with(#""phases": ["allocate", {"phase": "fork", "children": 0}]"#), path: "$.phases[1].children", message: "a number of child processes from 1 to 64, got 0"),
        BadCase(label: "too many children", text: with(#""phases": ["allocate", {"phase": "fork", "children": 65}]"#), path: "$.phases[1].children", message: "got 65"),
        BadCase(label: "unknown fork work", text: with(#""phases": ["allocate", {"phase": "fork", "work": "travers"}]"#), path: "$.phases[1].work", message: "did you mean \"traverse\"?"),
        BadCase(label: "children on another phase", text: with(#""phases": ["allocate", {"phase": "traverse", "children": 2}]"#), path: "$.phases[1].children", message: "only fork takes one"),
        BadCase(label: "order on free-all", text: with(#""phases": ["allocate", {"phase": "free-all", "order": "random"}]"#), path: "$.phases[1].order", message: "only traverse, mutate and fork take one"),
        BadCase(label: "gc.freeze without fork", text: with(#""python_gc_freeze": true"#), path: "$.python_gc_freeze", message: "expected a \"fork\" phase", schemaCatches: false),
        BadCase(label: "gc.freeze as text", text: with(#""python_gc_freeze": "yes", "phases": ["allocate", "fork"]"#), path: "$.python_gc_freeze", message: "expected true or false"),
        BadCase(label: "fewer nodes than two per thread", text: variant("nodes", "\"nodes\": [1000, 7]").replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"threads\": [1, 4]"), path: "$.nodes[1]", message: "expected at least 8 nodes with 4 threads", schemaCatches: false),
        BadCase(label: "idle for no time", text: with(#""phases": ["allocate", {"phase": "idle", "seconds": 0}]"#), path: "$.phases[1].seconds", message: "above 0 and at most 3600, got 0"),
        BadCase(label: "idle too long", text: with(#""phases": ["allocate", {"phase": "idle", "seconds": 7200}]"#), path: "$.phases[1].seconds", message: "got 7200"),
        BadCase(label: "seconds on another phase", text: with(#""phases": ["allocate", {"phase": "traverse", "seconds": 2}]"#), path: "$.phases[1].seconds", message: "only idle takes them"),
        BadCase(label: "idle with threads", text: with(#""threads": [2], "phases": ["allocate", "idle"]"#), path: "$.phases[1]", message: "expected no \"threads\" with an \"idle\" phase", schemaCatches: false),
        BadCase(label: "misspelt threads key", text: with(#""thread": [2]"#), path: "$.thread", message: "did you mean \"threads\"?"),
    ]

    @Test func threadsAreATrialDimensionInEveryId() throws {
        let experiment = try load(Self.with(#""threads": [1, 2, 4], "phases": ["allocate", "traverse", "remote-free"]"#))
        #expect(experiment.threads == [1, 2, 4])
        #expect(experiment.phases.map(\.kind) == [.allocate, .traverse, .remoteFree])
        let trials = TrialPlan.trials(for: experiment)
        // 2 node counts × 5 layouts × 3 thread counts × 1 allocator × 3 repetitions.
        #expect(trials.count == 2 * 5 * 3 * 3)
        #expect(Set(trials.map(\.threads)) == [1, 2, 4])
        #expect(trials.allSatisfy { $0.id.hasSuffix(".t\($0.threads ?? 0).r\($0.repetition)") })
        #expect(Set(trials.map(\.id)).count == trials.count, "no two trials share an id")
        let classic = try load(Self.valid)
        #expect(classic.threads == nil && TrialPlan.trials(for: classic).allSatisfy { $0.threads == nil && !$0.id.contains(".t") })
    }

    @Test func idleDecodesAfterFreeAllWithItsDefault() throws {
        let experiment = try load(Self.with(#""phases": ["allocate", "free-all", "idle", {"phase": "idle", "seconds": 2.5}, "purge"]"#))
        #expect(experiment.phases[2] == PhaseSpec(.idle, seconds: 10) && experiment.phases[3] == PhaseSpec(.idle, seconds: 2.5))
        #expect(experiment.phases[3].description == "idle:2.5" && PhaseSpec("idle:2.5") == experiment.phases[3])
        #expect(PhaseSpec("idle:0.0") == nil && PhaseSpec("idle") == nil && experiment.phases[3].nodesProcessed(of: 100) == 0)
    }

    @Test func forkDecodesWithItsDefaults() throws {
        let experiment = try load(Self.with(#""phases": ["allocate", "fork", {"phase": "fork", "children": 4, "work": "none", "order": "random"}], "python_gc_freeze": true"#))
        #expect(experiment.phases[1] == PhaseSpec(.fork, children: 2, work: .traverse))
        #expect(experiment.phases[2] == PhaseSpec(.fork, order: .random, children: 4, work: PhaseSpec.ForkWork.none))
        #expect(experiment.pythonGCFreeze)
        for spec in experiment.phases { #expect(PhaseSpec(spec.description) == spec, "\(spec.description) round-trips") }
        #expect(experiment.phases[2].description == "fork:4:none:random")
        #expect(experiment.phases[2].nodesProcessed(of: 1000) == 0 && experiment.phases[1].nodesProcessed(of: 1000) == 1000)
    }
}
