import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The size-class chart's data, for a shape with a length distribution whose trials have rows in
/// `allocation-sizes.csv`: `size-classes-requests.csv`, `size-classes-classes.csv` and
/// `size-classes-summary.csv` in the shape's `chart-data/` folder (see `ChartData.sizeClasses`).
extension ChartDataWriter {
    static let sizeClassFiles = ["size-classes-requests.csv", "size-classes-classes.csv", "size-classes-summary.csv"]

    static func writeSizeClasses(_ counts: [AllocationSizeRow], run: ExperimentRun, focus: ChartData.Focus, into target: URL) throws {
        let tables = ChartData.hasLengthDistribution(focus.shape) ? ChartData.sizeClasses(counts, run: run, focus: focus) : nil
        guard let tables, !tables.isEmpty else {
            // None drawn: no file left from an earlier plot of this folder.
            for name in sizeClassFiles { try? FileManager.default.removeItem(at: target.appendingPathComponent(name)) }
            return
        }
        for (name, table) in zip(sizeClassFiles, [tables.requests, tables.classes, tables.summary]) {
            try AtomicFile.write(table.text, to: target.appendingPathComponent(name))
        }
    }
}
