import Foundation
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabSampling

/// Estimates a trial's peak resident memory before it starts, so that a trial that cannot fit in
/// `MemAvailable` is refused (or skipped) instead of waking the OOM killer hours into a suite.
///
/// The estimate is deliberately generous: per node, heap layouts get their instance size plus a quarter
/// (the widest gap between jemalloc's size classes) plus 16 bytes of allocator overhead, plus the 8-byte
/// reference; `dict-class` adds a dictionary
/// storage for the shape's field count; value layouts get their array bytes. The probe's extra nodes and
/// 64 MiB for the worker itself are added, plus the random permutation (8 B/node) when a phase needs one
/// and half the nodes again when `reallocate` or `churn` may allocate before the freed memory is reused;
/// the sum is multiplied by 1.1. A `fork` phase whose children read or write the nodes adds, per child, the nodes'
/// bytes again (a child that un-shares every page it touches: reading Python objects writes their reference counts)
/// and the worker's own overhead; the widest fork phase counts.
public enum MemoryPreflight {
    public static let workerOverheadBytes = 64 << 20

    package static func estimatedPeakBytes(for trial: Trial, probeNodes: Int, phases: [PhaseSpec] = [PhaseSpec(.allocate)]) -> Int {
        let perNode = estimatedBytesPerNode(layout: trial.layout, shape: trial.shape)
        var nodes = trial.nodes + probeNodes
        if phases.contains(where: { $0.kind == .reallocate || $0.kind == .churn }) { nodes += trial.nodes / 2 }
        let permutation = phases.contains(where: \.needsPermutation) ? trial.nodes * 8 : 0
        let children = phases.filter { $0.kind == .fork }.map { $0.work == .none ? 0 : $0.children }.max() ?? 0
        let forked = children * (trial.nodes * perNode + workerOverheadBytes)
        return Int(Double(nodes * perNode + permutation + workerOverheadBytes + forked) * 1.1)
    }

    public static func estimatedBytesPerNode(layout: LayoutKind, shape: Shape) -> Int {
        inlineBytesPerNode(layout: layout, shape: shape) + outOfLineBytesPerNode(layout: layout, shape: shape)
    }

    /// String text beyond 15 bytes and array elements, each in a heap object of its own (a 32-byte header and
    /// a quarter for the size class; a Python list's items are objects of 32 bytes each), at the expected length.
    static func outOfLineBytesPerNode(layout: LayoutKind, shape: Shape) -> Int {
        var total = 0.0
        for field in shape.fields {
            guard let length = field.length?.expectedLength else { continue }
            switch field.type {
            case .string where layout.isPython || length > 15: total += (32 + length + 1) * 1.25 + 16
            case .array where layout.isPython: total += (56 + 8 * length) * 1.25 + 32 * length
            case .array: total += (32 + Double(field.element?.sizeBytes ?? 8) * length) * 1.25 + 16
            case .bytes where layout.isPython || layout == .dictClass: total += (33 + length) * 1.25 + 16
            default: break
            }
        }
        return Int(total.rounded(.up))
    }

    static func inlineBytesPerNode(layout: LayoutKind, shape: Shape) -> Int {
        let payload = shape.payload
        func heapObject(_ bytes: Int) -> Int { bytes + bytes / 4 + 16 }
        switch layout {
        case .finalClass, .openClass:
            return heapObject(16 + payload.sizeBytes) + 8
        case .dictClass:
            // Native dictionary storage: header and bookkeeping, a bitmap word per 64 buckets, and per bucket a
            // 16-byte String key and a 32-byte Any value; buckets are a power of two at most 3/4 full.
            var buckets = 1
            while buckets * 3 < shape.fields.count * 4 { buckets *= 2 }
            let storage = 80 + 8 * ((buckets + 63) / 64) + buckets * 48
            return heapObject(24) + heapObject(storage) + 8
        case .structArray:
            return payload.strideBytes
        case .columns:
            return PayloadLayout.columnBytes(of: shape.fields)
        case .pythonDictClass, .pythonSlotsClass, .pythonDictAndSlots, .pythonDataclassSlots, .pythonTuple, .pythonNamedtuple:
            // An object with a GC header, a dictionary for plain classes, and an int or float object per field.
            return 400 + 48 * shape.fields.count
        }
    }

    /// Trials of `experiment` whose estimated peak exceeds `availableBytes`, each with the message naming both
    /// figures (what `run` refuses, and `validate` reports).
    public static func oversizedTrials(_ trials: [Trial], of experiment: Experiment, availableBytes available: Int) -> [String: String] {
        var oversized: [String: String] = [:]
        for trial in trials {
            let estimate = estimatedPeakBytes(
                for: trial, probeNodes: SuiteRunner.probeNodes(for: trial, in: experiment), phases: experiment.phases)
            if estimate > available {
                oversized[trial.id] = "estimated peak \(estimate >> 20) MiB exceeds MemAvailable \(available >> 20) MiB"
            }
        }
        return oversized
    }

    /// The largest estimated peak of any trial of `experiment`, in bytes (0 without trials).
    public static func largestEstimateBytes(of experiment: Experiment) -> Int {
        TrialPlan.trials(for: experiment).map {
            estimatedPeakBytes(for: $0, probeNodes: SuiteRunner.probeNodes(for: $0, in: experiment), phases: experiment.phases)
        }.max() ?? 0
    }

    /// `MemAvailable` from `/proc/meminfo`, in bytes.
    public static func availableBytes(meminfo: String? = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) -> Int? {
        guard let line = meminfo?.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
}
