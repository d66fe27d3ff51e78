import Foundation

/// The report's section of size-class staircases (one chart per sweep family × layout, in `charts/`).
extension ReportWriter {
    static func isStaircase(_ chart: URL) -> Bool { chart.lastPathComponent.hasPrefix("staircase-") }

    /// "### Size-class staircase" and its charts, or nothing when no staircase was drawn.
    static func staircaseSection(_ charts: [URL], root: String) -> String {
        guard !charts.isEmpty else { return "" }
        var text = "### Size-class staircase\n\n"
        text += "Each sweep member is a point: x its requested bytes per node, y its usable bytes per node (steps: "
        text += "`malloc_usable_size` in the probe) and its RSS bytes per node less the 8-byte reference the container holds for it (points), medians over the repetitions; "
        text += "the dotted line is y = x. Below, the same minus the request: what rounding and the allocator cost per node.\n\n"
        for chart in charts {
            let name = chart.deletingPathExtension().lastPathComponent
            text += "![\(name)](\(chart.standardizedFileURL.path.replacingOccurrences(of: root, with: "")))\n\n"
        }
        return text
    }
}
