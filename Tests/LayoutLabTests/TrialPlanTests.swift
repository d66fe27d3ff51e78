import Testing

@testable import LayoutLabModel

@Suite("Trial expansion")
struct TrialPlanTests {
    static let point = Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])

    @Test func everyCombinationOnceWithStableIDs() {
        let experiment = Experiment(
            name: "e", layouts: [.finalClass, .columns], shapes: [Self.point], nodes: [10, 20],
            allocators: [.system, .jemalloc], repetitions: 3)
        let trials = TrialPlan.trials(for: experiment)
        #expect(trials.count == 2 * 1 * 2 * 2 * 3)
        #expect(Set(trials.map(\.id)).count == trials.count)
        #expect(trials.contains { $0.id == "point.columns.20.jemalloc.r3" })
    }

    @Test func repetitionsInterleaveAndRotate() {
        let experiment = Experiment(
            name: "e", layouts: [.finalClass, .structArray, .columns], shapes: [Self.point], nodes: [10],
            allocators: [.system], repetitions: 3)
        let trials = TrialPlan.trials(for: experiment)
        // Repetition-major: every configuration once before any runs a second time.
        #expect(trials.map(\.repetition) == [1, 1, 1, 2, 2, 2, 3, 3, 3])
        // Each pass starts one configuration later, so no layout is always first.
        #expect(trials.map(\.layout) == [
            .finalClass, .structArray, .columns, .structArray, .columns, .finalClass, .columns, .finalClass, .structArray,
        ])
    }
}
