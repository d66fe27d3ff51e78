/// The interpreter as a trial dimension of Python layouts (`"python": ["3.8", "3.12"]`).
extension Experiment {
    /// The first interpreter: the one of a one-interpreter experiment; nil without Python.
    public var python: PythonInterpreter? { pythons.first }

    /// Whether the interpreter is a trial dimension: more than one is listed, and trial ids carry `.pyV`.
    public var hasSeveralPythons: Bool { pythons.count > 1 }

    /// The interpreters `layout`'s trials run on: the listed ones that can build it, for a Python layout; `[nil]`
    /// for a Swift layout (not multiplied) and for a Python layout of an experiment read without interpreters.
    public func interpreters(for layout: LayoutKind) -> [PythonInterpreter?] {
        guard layout.isPython, !pythons.isEmpty else { return [nil] }
        return pythons.filter { $0.supports(layout) }
    }

    /// Python layouts some listed interpreter cannot build, with those interpreters (the others still run them).
    public var skippedPythonLayouts: [(layout: LayoutKind, interpreters: [PythonInterpreter])] {
        layouts.filter(\.isPython).compactMap { layout in
            let unable = pythons.filter { !$0.supports(layout) }
            return unable.isEmpty ? nil : (layout, unable)
        }
    }

    /// The `.pyV` part of `python`'s trial ids with several interpreters: `major.minor`, or the full version where
    /// two listed interpreters share `major.minor`, with `-N` (its place in the list) where they share that too;
    /// nil with one interpreter (ids unchanged) or for an interpreter not listed.
    public func pythonLabel(_ python: PythonInterpreter?) -> String? {
        guard hasSeveralPythons, let python, let index = pythons.firstIndex(of: python) else { return nil }
        let short = "\(python.major).\(python.minor)"
        if pythons.filter({ "\($0.major).\($0.minor)" == short }).count == 1 { return short }
        if pythons.filter({ $0.version == python.version }).count == 1 { return python.version }
        return "\(python.version)-\(index + 1)"
    }

    /// " 3.12": what a chart's or table's name adds for a Python trial of an experiment with several interpreters.
    public func pythonSuffix(_ python: PythonInterpreter?) -> String { pythonLabel(python).map { " \($0)" } ?? "" }
}
