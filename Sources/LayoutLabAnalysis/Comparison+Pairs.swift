extension Comparison {
    /// What the sides of a comparison within one folder are.
    public enum Grouping: String, Sendable, CaseIterable {
        /// Allocators, each against the baseline allocator.
        case allocator
        /// Machines (the `host` column of a merged folder), each against the baseline host, allocator by allocator.
        case host
    }

    /// Pairs the rows of two tables: for each configuration (shape, layout, nodes, threads, interpreter version) and metric, side A's
    /// allocator `baseline` against every other allocator of the same table (`byAllocator`), or each
    /// allocator in table A against the same allocator in table B. A configuration where neither side has a
    /// number for the metric (a Python layout's usable size) is left out: the metric does not apply there.
    /// `control` (two tables only): time metrics (`RunShift.isTime`) of every other allocator are divided by
    /// that allocator's B ÷ A of the same configuration, and the control's own time rows are left out (they
    /// are the drift it cancels; `RunShift` of the plain pairs shows it).
    public static func pairs(
        _ a: TrialTable, _ b: TrialTable?, metrics: [String], baseline: String?, by grouping: Grouping = .allocator,
        control: String? = nil
    ) -> [Comparison] {
        struct Key: Hashable { var shape: String, layout: String, nodes: Int, threads: Int?, python: String?, allocator: String }
        // A folder from before `python_version` pairs Python layouts by layout alone.
        let keyedByPython = [a, b].compactMap { $0 }.allSatisfy { $0.header.contains("python_version") }
        func key(_ row: TrialTable.Row) -> Key {
            Key(shape: row.shape, layout: row.layout, nodes: row.nodes, threads: row.threads, python: keyedByPython ? row.python : nil, allocator: side(row))
        }
        // `allocator` holds the side: the allocator, or with `by host` the host and the allocator.
        func side(_ row: TrialTable.Row) -> String {
            grouping == .host && b == nil ? "\(row.cells["host"] ?? "?")|\(row.allocator)" : row.allocator
        }
        func grouped(_ table: TrialTable) -> [Key: [TrialTable.Row]] {
            Dictionary(grouping: table.rows, by: key)
        }
        let groupsA = grouped(a)
        let orderedKeys = a.rows.map(key)
            .reduce(into: [Key]()) { if !$0.contains($1) { $0.append($1) } }
        var comparisons: [Comparison] = []
        func add(
            _ key: Key, _ sideA: String, _ sideB: String, _ metric: String, _ rowsA: [TrialTable.Row], _ rowsB: [TrialTable.Row],
            control: Comparison.Control? = nil
        ) {
            let valuesA = rowsA.compactMap { $0.value(metric) }, valuesB = rowsB.compactMap { $0.value(metric) }
            guard !valuesA.isEmpty || !valuesB.isEmpty else { return }
            comparisons.append(Comparison(
                shape: key.shape, layout: key.layout, nodes: key.nodes, threads: key.threads, python: key.python, sideA: sideA, sideB: sideB, metric: metric,
                valuesA: valuesA, valuesB: valuesB, control: control))
        }
        for metric in metrics {
            if let b {
                let groupsB = grouped(b)
                let controlled = control.flatMap { RunShift.isTime(metric) ? $0 : nil }
                for key in orderedKeys where key.allocator != controlled {
                    guard let rowsA = groupsA[key], let rowsB = groupsB[key] else { continue }
                    var controlValues: Comparison.Control?
                    if let controlled {
                        var controlKey = key
                        controlKey.allocator = controlled
                        let valuesA = groupsA[controlKey]?.compactMap { $0.value(metric) } ?? []
                        let valuesB = groupsB[controlKey]?.compactMap { $0.value(metric) } ?? []
                        let missing = valuesA.isEmpty || valuesB.isEmpty
                            ? "the control \(controlled) has no \(metric) for this configuration in \(valuesA.isEmpty ? "A" : "B")" : nil
                        controlValues = Comparison.Control(allocator: controlled, valuesA: valuesA, valuesB: valuesB, missing: missing)
                    }
                    add(key, "\(key.allocator) (A)", "\(key.allocator) (B)", metric, rowsA, rowsB, control: controlValues)
                }
            } else if grouping == .host {
                let base = baseline ?? a.rows.first?.cells["host"] ?? ""
                for key in orderedKeys {
                    let parts = key.allocator.split(separator: "|", maxSplits: 1).map(String.init)
                    guard parts.count == 2, parts[0] != base else { continue }
                    var baseKey = key
                    baseKey.allocator = "\(base)|\(parts[1])"
                    guard let rowsA = groupsA[baseKey], let rowsB = groupsA[key] else { continue }
                    add(key, "\(base) \(parts[1])", "\(parts[0]) \(parts[1])", metric, rowsA, rowsB)
                }
            } else {
                let base = baseline ?? a.rows.first?.allocator ?? ""
                for key in orderedKeys where key.allocator != base {
                    var baseKey = key
                    baseKey.allocator = base
                    guard let rowsA = groupsA[baseKey], let rowsB = groupsA[key] else { continue }
                    add(key, base, key.allocator, metric, rowsA, rowsB)
                }
            }
        }
        return comparisons
    }
}
