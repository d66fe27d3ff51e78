import LayoutLabModel
import LayoutLabTables

/// "Programs", for a program experiment: a row per program × allocator, medians over the successful repetitions
/// (min–max where they differ) — the kernel's peak RSS (`ru_maxrss`) and the VmHWM the program read at its exit (MiB),
/// the allocator's own allocated bytes at exit (MiB), wall and CPU time (s), the most processes seen, minor faults.
public enum ProgramTable {
    /// The markdown table, or nil for an experiment without programs.
    public static func markdown(_ run: ExperimentRun) -> String? {
        guard let programs = run.experiment.programs, !programs.isEmpty else { return nil }
        var text = "\nMedians over the successful repetitions (min–max where they differ); peak RSS is `ru_maxrss` (what "
        text += "`/usr/bin/time -f %M` says), VmHWM the program's own reading at exit (the allocator agent), allocated the "
        text += "allocator's own count at exit; a figure not measured is —.\n\n"
        text += "| program | allocator | reps ok | peak RSS MiB | VmHWM at exit MiB | allocated at exit MiB | wall s | CPU s (user + sys) | processes | minor faults |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|\n"
        for program in programs {
            for allocator in run.experiment.allocators {
                let metrics = run.records.filter {
                    $0.status == .ok && $0.trial.program?.name == program.name && $0.trial.allocator.name == allocator.name
                }.map(\.metrics)
                let mebibyte = 1_048_576.0
                let cells = [
                    program.name, allocator.name, String(metrics.count),
                    spread(metrics.compactMap(\.peakRSSBytes).map { Double($0) / mebibyte }),
                    spread(metrics.compactMap(\.vmHWMAtExitBytes).map { Double($0) / mebibyte }),
                    spread(metrics.compactMap(\.allocatorAllocatedBytesAtExit).map { Double($0) / mebibyte }),
                    spread(metrics.compactMap(\.programWallNs).map { Double($0) / 1e9 }, digits: 2),
                    spread(metrics.compactMap { m in m.userCPUNs.flatMap { u in m.systemCPUNs.map { Double(u + $0) / 1e9 } } }, digits: 2),
                    spread(metrics.compactMap(\.processes).map(Double.init), digits: 0),
                    spread(metrics.compactMap(\.minorFaults).map(Double.init), digits: 0),
                ]
                text += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        let failed = run.records.filter { $0.trial.program != nil && $0.status != .ok }
        if !failed.isEmpty {
            text += "\n\(failed.count) program trial(s) not ok (their rows are in `trials.csv` with the reason): "
            text += failed.map { "`\($0.trial.id)` \($0.status)" }.joined(separator: ", ") + ".\n"
        }
        return text
    }

    /// "median (min–max)", or the median alone when every repetition agrees at `digits`; "—" without values.
    static func spread(_ values: [Double], digits: Int = 1) -> String {
        guard let median = PerNodeSummary.median(values), let low = values.min(), let high = values.max() else { return "—" }
        func text(_ value: Double) -> String { digits == 0 ? String(Int(value.rounded())) : Rounded.text(value, digits: digits) }
        return text(low) == text(high) ? text(median) : "\(text(median)) (\(text(low))–\(text(high)))"
    }
}
