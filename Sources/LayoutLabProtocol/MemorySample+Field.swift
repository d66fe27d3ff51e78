extension MemorySample {
    /// Every figure of a sample, written down once, in the one order used everywhere: the fields of a
    /// `sample` reply line after its phase index (Swift and Python workers), and the sample columns of
    /// `samples.csv` (after `trial_id`, `phase_index`, `phase`). The Python worker's `SAMPLE_FIELDS` is a copy
    /// that a test checks against this list.
    package enum Field: Int, CaseIterable, Sendable {
        case nodesAlive, elapsedNs
        case rssBytes, rssAnonBytes, smapsRSSBytes, pssBytes, privateDirtyBytes, anonymousBytes, vmHWMBytes
        case allocatorAllocatedBytes, allocatorActiveBytes, allocatorResidentBytes, allocatorMetadataBytes
        case allocatorMappedBytes, allocatorRetainedBytes
        case sampleNs
        case treeRSSBytes

        /// The column name in `samples.csv` (and in the Python worker's `SAMPLE_FIELDS`).
        package var column: String {
            switch self {
            case .nodesAlive: "nodes_alive"
            case .elapsedNs: "elapsed_ns"
            case .rssBytes: "rss_bytes"
            case .rssAnonBytes: "rss_anon_bytes"
            case .smapsRSSBytes: "smaps_rss_bytes"
            case .pssBytes: "pss_bytes"
            case .privateDirtyBytes: "private_dirty_bytes"
            case .anonymousBytes: "anonymous_bytes"
            case .vmHWMBytes: "vm_hwm_bytes"
            case .allocatorAllocatedBytes: "allocator_allocated_bytes"
            case .allocatorActiveBytes: "allocator_active_bytes"
            case .allocatorResidentBytes: "allocator_resident_bytes"
            case .allocatorMetadataBytes: "allocator_metadata_bytes"
            case .allocatorMappedBytes: "allocator_mapped_bytes"
            case .allocatorRetainedBytes: "allocator_retained_bytes"
            case .sampleNs: "sample_ns"
            case .treeRSSBytes: "tree_rss_bytes"
            }
        }

        /// What the field counts.
        package var unit: Unit {
            switch self {
            case .nodesAlive: .nodes
            case .elapsedNs, .sampleNs: .nanoseconds
            default: .bytes
            }
        }

        /// True for the figures every sample has; the others are nil where their sampler was not read.
        package var isRequired: Bool { self == .nodesAlive || self == .elapsedNs || self == .sampleNs }
    }

    /// The unit of a sample field.
    package enum Unit: String, Sendable {
        case nodes
        case nanoseconds = "ns"
        case bytes
    }

    /// The figure `field` of this sample; nil where its sampler was not read. Setting nil on a required
    /// figure (`Field.isRequired`) leaves it as it was.
    package subscript(field: Field) -> Int? {
        get {
            switch field {
            case .nodesAlive: nodesAlive
            case .elapsedNs: elapsedNs
            case .rssBytes: rssBytes
            case .rssAnonBytes: rssAnonBytes
            case .smapsRSSBytes: smapsRSSBytes
            case .pssBytes: pssBytes
            case .privateDirtyBytes: privateDirtyBytes
            case .anonymousBytes: anonymousBytes
            case .vmHWMBytes: vmHWMBytes
            case .allocatorAllocatedBytes: allocator.allocatedBytes
            case .allocatorActiveBytes: allocator.activeBytes
            case .allocatorResidentBytes: allocator.residentBytes
            case .allocatorMetadataBytes: allocator.metadataBytes
            case .allocatorMappedBytes: allocator.mappedBytes
            case .allocatorRetainedBytes: allocator.retainedBytes
            case .sampleNs: sampleNs
            case .treeRSSBytes: treeRSSBytes
            }
        }
        set {
            switch field {
            case .nodesAlive: nodesAlive = newValue ?? nodesAlive
            case .elapsedNs: elapsedNs = newValue ?? elapsedNs
            case .rssBytes: rssBytes = newValue
            case .rssAnonBytes: rssAnonBytes = newValue
            case .smapsRSSBytes: smapsRSSBytes = newValue
            case .pssBytes: pssBytes = newValue
            case .privateDirtyBytes: privateDirtyBytes = newValue
            case .anonymousBytes: anonymousBytes = newValue
            case .vmHWMBytes: vmHWMBytes = newValue
            case .allocatorAllocatedBytes: allocator.allocatedBytes = newValue
            case .allocatorActiveBytes: allocator.activeBytes = newValue
            case .allocatorResidentBytes: allocator.residentBytes = newValue
            case .allocatorMetadataBytes: allocator.metadataBytes = newValue
            case .allocatorMappedBytes: allocator.mappedBytes = newValue
            case .allocatorRetainedBytes: allocator.retainedBytes = newValue
            case .sampleNs: sampleNs = newValue ?? sampleNs
            case .treeRSSBytes: treeRSSBytes = newValue
            }
        }
    }

    /// Every figure in `Field.allCases` order.
    package var values: [Int?] { Field.allCases.map { self[$0] } }

    /// A sample from its figures in `Field.allCases` order; nil when the count is wrong or a required
    /// figure is missing.
    package init?(values: [Int?]) {
        guard values.count == Field.allCases.count else { return nil }
        func value(_ field: Field) -> Int? { values[field.rawValue] }
        guard let nodes = value(.nodesAlive), let elapsed = value(.elapsedNs), let cost = value(.sampleNs) else { return nil }
        self.init(
            nodesAlive: nodes, elapsedNs: elapsed, rssBytes: value(.rssBytes), rssAnonBytes: value(.rssAnonBytes),
            vmHWMBytes: value(.vmHWMBytes), smapsRSSBytes: value(.smapsRSSBytes), pssBytes: value(.pssBytes),
            privateDirtyBytes: value(.privateDirtyBytes), anonymousBytes: value(.anonymousBytes),
            allocator: AllocatorStatistics(
                allocatedBytes: value(.allocatorAllocatedBytes), activeBytes: value(.allocatorActiveBytes),
                residentBytes: value(.allocatorResidentBytes), metadataBytes: value(.allocatorMetadataBytes),
                mappedBytes: value(.allocatorMappedBytes), retainedBytes: value(.allocatorRetainedBytes)),
            sampleNs: cost, treeRSSBytes: value(.treeRSSBytes))
    }
}
