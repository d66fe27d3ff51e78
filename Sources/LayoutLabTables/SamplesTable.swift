import LayoutLabModel
import LayoutLabProtocol

/// `samples.csv`: one row per sample, all sizes in bytes; `elapsed_ns` excludes sampling, `sample_ns` is
/// the sample's own cost.
package enum SamplesTable {
    /// The columns of one `MemorySample`: its fields as the protocol lists them (`MemorySample.Field`), in
    /// that order, each an integer cell, empty where the figure was not read.
    package static let sampleColumns: [CSVColumn<MemorySample>] = MemorySample.Field.allCases.map { field in
        let format = CSVCellFormat<Int>.integer
        return CSVColumn(
            field.column, render: { sample in sample[field].flatMap(format.render) },
            parse: { sample, text in if let value = format.parse(text) { sample[field] = value } })
    }

    package static let schema = CSVSchema<SampleRow>(
        [
            CSVColumn("trial_id", \.trialID, .text),
            CSVColumn("phase_index", \.phaseIndex, .integer),
            CSVColumn("phase", \.phase, .text),
        ] + sampleColumns.map { $0.lifted(\SampleRow.sample) })

    package static let header = schema.header

    /// A trial's rows as cells; `phases` names the phases by index (the experiment's list).
    package static func rows(_ result: TrialResult, phases: [PhaseSpec]) -> [[String?]] {
        SampleRow.rows(of: result, phases: phases).map(schema.cells)
    }

    /// Reads cells in header order.
    package static func row(_ cells: [String]) -> SampleRow { schema.row(cells, into: SampleRow.blank) }
}
