import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The scaling and fork charts' data, in a set's `chart-data/` folder, only where the experiment has them
/// (a classic folder's chart data is unchanged): `scaling.csv` and `scaling.txt` (line 1: the machine's online
/// cores from `environment.json`, empty when unknown; line 2: the headline after the allocator; then the
/// subtitle's lines, without the one about the thread count the other charts show) for an
/// experiment with `"threads"`; `fork.csv` for one with a fork phase.
extension ChartDataWriter {
    static let scalingFiles = ["scaling.csv", "scaling.txt"]
    static let forkFile = "fork.csv"

    static func writeThreadsAndForks(_ folder: ResultsFolder, focus: ChartData.Focus, into target: URL) throws {
        let run = folder.run
        let scaling = ChartData.scaling(run: run, focus: focus)
        if scaling.rows.isEmpty {
            for name in scalingFiles { try? FileManager.default.removeItem(at: target.appendingPathComponent(name)) }
        } else {
            let cores = EnvironmentReader(directory: folder.directory).record?.machine.onlineCores
            let title = ChartData.scalingTitle(
                threads: (folder.experiment.threads ?? []).sorted(), cores: cores, repetitions: folder.experiment.repetitions)
            try AtomicFile.write(scaling.text, to: target.appendingPathComponent(scalingFiles[0]))
            // The set's subtitle without its line about the one T the other charts show: this chart shows every T.
            let subtitle = subtitle(folder, focus: focus, showsThreads: false)
            try AtomicFile.write("\(cores.map(String.init) ?? "")\n\(title)\n\(subtitle)\n", to: target.appendingPathComponent(scalingFiles[1]))
        }
        let fork = ChartData.fork(run: run, focus: focus)
        if fork.rows.isEmpty {
            try? FileManager.default.removeItem(at: target.appendingPathComponent(forkFile))
        } else {
            try AtomicFile.write(fork.text, to: target.appendingPathComponent(forkFile))
        }
    }
}
