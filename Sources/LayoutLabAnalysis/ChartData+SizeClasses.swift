import LayoutLabModel
import LayoutLabTables

/// Where the requested sizes of a shape with length distributions fall among the allocator's size classes, and
/// what each class wastes (`size-classes-*.csv`, from `allocation-sizes.csv`).
extension ChartData {
    /// The three tables of the size-class chart of one shape at one node count.
    package struct SizeClassTables: Sendable {
        /// One row per layout × allocator × requested size: `allocations` blocks of `requested_bytes`, their
        /// usable size, the waste of one (usable − requested, bytes) and the 1-based class they fall in.
        package var requests: CSVTable
        /// One row per layout × allocator × size class (a distinct usable size): the requests it takes
        /// (smallest, largest), its blocks, its waste Σ allocations × (usable − requested) in bytes, per node of
        /// the probe, and as a fraction of the class's usable bytes.
        package var classes: CSVTable
        /// One row per layout × allocator: which trial (repetition, probe nodes), and the waste of all classes.
        package var summary: CSVTable

        package var isEmpty: Bool { summary.rows.isEmpty }
    }

    /// Whether a field of the shape draws its length from a distribution (uniform, lognormal, choice): the
    /// shapes whose nodes spread over several size classes.
    package static func hasLengthDistribution(_ shape: Shape) -> Bool {
        shape.fields.contains { field in field.length.map { $0.fixedCount == nil } ?? false }
    }

    /// The size-class tables of `focus` from the rows of `allocation-sizes.csv`: for each layout × allocator the
    /// first successful repetition that has rows there (every repetition draws the same lengths from the seed).
    /// A request without a usable size has empty usable, waste and class cells and is in no class.
    package static func sizeClasses(_ counts: [AllocationSizeRow], run: ExperimentRun, focus: Focus) -> SizeClassTables {
        var tables = SizeClassTables(
            requests: CSVTable(header: [
                "layout", "allocator", "allocator_index", "requested_bytes", "allocations", "usable_bytes", "waste_bytes", "class_index",
            ]),
            classes: CSVTable(header: [
                "layout", "allocator", "allocator_index", "class_index", "usable_bytes", "lowest_requested_bytes",
                "highest_requested_bytes", "allocations", "waste_bytes", "waste_bytes_per_node", "waste_fraction",
            ]),
            summary: CSVTable(header: [
                "layout", "allocator", "allocator_index", "repetition", "probe_nodes", "requested_sizes", "classes", "allocations",
                "waste_bytes_per_node", "panel_title",
            ]))
        var byTrial: [String: [AllocationSizeRow]] = [:]
        for count in counts { byTrial[count.trialID, default: []].append(count) }
        let records = run.records.filter {
            $0.status == .ok && $0.trial.shape.name == focus.shape.name && $0.trial.nodes == focus.nodes && $0.trial.threads == focus.threads
                && byTrial[$0.trial.id] != nil
        }
        for layout in run.experiment.layouts {
            for (allocatorIndex, allocator) in run.experiment.allocators.enumerated() {
                guard let record = records.filter({ $0.trial.layout == layout && $0.trial.allocator.name == allocator.name })
                    .min(by: { $0.trial.repetition < $1.trial.repetition }),
                    let rows = byTrial[record.trial.id]
                else { continue }
                let requests = rows.sorted { $0.requestedBytes < $1.requestedBytes }
                let classSizes = Set(requests.compactMap(\.usableBytes)).sorted()
                let classIndex = Dictionary(uniqueKeysWithValues: classSizes.enumerated().map { ($0.element, $0.offset + 1) })
                let probeNodes = record.probeNodes.flatMap { $0 > 0 ? Double($0) : nil }
                let common = [layout.rawValue, allocator.name, String(allocatorIndex + 1)]
                for request in requests {
                    let waste = request.usableBytes.map { $0 - Double(request.requestedBytes) }
                    tables.requests.append(common + [
                        String(request.requestedBytes), String(request.allocations), CSVNumber.cell(request.usableBytes),
                        CSVNumber.cell(waste), request.usableBytes.flatMap { classIndex[$0] }.map(String.init),
                    ])
                }
                var totalWaste = 0.0
                for (index, size) in classSizes.enumerated() {
                    let members = requests.filter { $0.usableBytes == size }
                    let allocations = members.reduce(0) { $0 + $1.allocations }
                    let waste = members.reduce(0.0) { $0 + Double($1.allocations) * (size - Double($1.requestedBytes)) }
                    totalWaste += waste
                    tables.classes.append(common + [
                        String(index + 1), CSVNumber.cell(size), members.first.map { String($0.requestedBytes) },
                        members.last.map { String($0.requestedBytes) }, String(allocations), CSVNumber.cell(waste),
                        CSVNumber.cell(probeNodes.map { waste / $0 }),
                        CSVNumber.cell(allocations > 0 && size > 0 ? waste / (Double(allocations) * size) : nil),
                    ])
                }
                let allocations = requests.reduce(0) { $0 + $1.allocations }
                let wastePerNode = probeNodes.map { totalWaste / $0 }
                var title = "\(allocator.name): \(allocations) blocks of \(requests.count) sizes in \(classSizes.count) size classes"
                title += probeNodes.map { " (probe of \(Int($0)) nodes · repetition \(record.trial.repetition))" } ?? " (repetition \(record.trial.repetition))"
                if let wastePerNode { title += "; rounding \(Rounded.text(wastePerNode)) B/node" }
                if requests.contains(where: { $0.usableBytes == nil }) { title += "; some requests have no usable size (in no class)" }
                tables.summary.append(common + [
                    String(record.trial.repetition), record.probeNodes.map(String.init), String(requests.count), String(classSizes.count),
                    String(allocations), CSVNumber.cell(wastePerNode), title,
                ])
            }
        }
        return tables
    }
}
