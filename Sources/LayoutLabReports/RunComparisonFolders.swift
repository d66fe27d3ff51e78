import Foundation
import LayoutLabModel
import LayoutLabResults

/// Which folder was A and which was B in `layoutlab compare A B`: written beside the `comparison-runs-*.csv`
/// chart data of B (one file per chart set) as two lines, `A<TAB>path` and `B<TAB>path`, so that
/// `plot.gnuplot` can name them in the `comparison-runs-*` charts and `report.md` in its text. A path that
/// is a symbolic link (`results/x/latest`) is followed by the folder it points to.
package enum RunComparisonFolders {
    package static let fileName = "comparison-runs-folders.txt"

    /// The two folders, as the user named them.
    package struct Sides: Equatable, Sendable {
        package var a: String
        package var b: String

        package init(a: String, b: String) {
            self.a = a
            self.b = b
        }
    }

    /// Writes the file into every chart-data folder of B (beside its comparison-runs CSVs).
    package static func write(a: URL, b folder: ResultsFolder) throws {
        let text = "A\t\(describe(a))\nB\t\(describe(folder.directory))\n"
        let data = folder.directory.appendingPathComponent(ChartDataWriter.directoryName)
        for set in ChartDataWriter.chartSets(of: folder.experiment) {
            let target = data.appendingPathComponent(set.subfolder).standardizedFileURL
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try AtomicFile.write(text, to: target.appendingPathComponent(fileName))
        }
    }

    /// The sides recorded in B's chart data, or nil where `layoutlab compare A B` has not written them.
    package static func read(from folder: ResultsFolder) -> Sides? {
        let data = folder.directory.appendingPathComponent(ChartDataWriter.directoryName)
        for set in ChartDataWriter.chartSets(of: folder.experiment) {
            let url = data.appendingPathComponent(set.subfolder).appendingPathComponent(fileName)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            var sides: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1)
                if parts.count == 2 { sides[String(parts[0])] = String(parts[1]) }
            }
            if let a = sides["A"], let b = sides["B"] { return Sides(a: a, b: b) }
        }
        return nil
    }

    /// `results/default/latest (→ 2026-11-25T10-00-00Z)`: the path, and where a link leads.
    static func describe(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        return resolved == path ? path : "\(path) (→ \(resolved))"
    }
}
