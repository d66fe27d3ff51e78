import LayoutLabModel

extension Experiment {
    /// Takes each trace's path, event count and sha256 from a results folder's record (matched by name), as they were
    /// when the run started; a trace the record does not name keeps what it has (nil events: not known).
    package mutating func restoreTraces(from record: EnvironmentRecord?) {
        guard let recorded = record?.traces, let traces else { return }
        self.traces = traces.map { trace in
            recorded.first { $0.name == trace.name }?.source ?? trace
        }
    }
}
