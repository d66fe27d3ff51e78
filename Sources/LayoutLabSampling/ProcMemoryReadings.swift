/// Resident set from `/proc/self/statm`: field 2 (resident pages) times the page size, in bytes.
package struct StatmReading: Equatable, Sendable {
    package var residentBytes: Int

    /// Parses statm text; `pageSizeBytes` converts pages to bytes. Nil when the text is not statm.
    package init?(parsing text: UnsafeRawBufferPointer, pageSizeBytes: Int) {
        guard let pages = ProcTextScanner.field(1, in: text) else { return nil }
        residentBytes = pages * pageSizeBytes
    }
}

/// The lines of `/proc/self/status` the lab records, in bytes (the kernel writes kB). Nil where absent.
package struct StatusReading: Equatable, Sendable {
    package var vmRSSBytes: Int?
    package var rssAnonBytes: Int?
    package var vmHWMBytes: Int?

    package init(parsing text: UnsafeRawBufferPointer) {
        vmRSSBytes = ProcTextScanner.kilobyteValue(of: "VmRSS:", in: text)
        rssAnonBytes = ProcTextScanner.kilobyteValue(of: "RssAnon:", in: text)
        vmHWMBytes = ProcTextScanner.kilobyteValue(of: "VmHWM:", in: text)
    }
}

/// The totals of `/proc/self/smaps_rollup` the lab records, in bytes. Nil where absent.
package struct SmapsRollupReading: Equatable, Sendable {
    package var rssBytes: Int?
    package var pssBytes: Int?
    package var privateDirtyBytes: Int?
    package var anonymousBytes: Int?

    package init(parsing text: UnsafeRawBufferPointer) {
        // smaps_rollup starts with a header line (the address range), then `Key: value kB` lines.
        rssBytes = ProcTextScanner.kilobyteValue(of: "Rss:", in: text)
        pssBytes = ProcTextScanner.kilobyteValue(of: "Pss:", in: text)
        privateDirtyBytes = ProcTextScanner.kilobyteValue(of: "Private_Dirty:", in: text)
        anonymousBytes = ProcTextScanner.kilobyteValue(of: "Anonymous:", in: text)
    }
}

/// What a forked process shares and owns, from its own `/proc/self/smaps_rollup`, in bytes (the kernel writes
/// kB). Nil where absent. `sharedBytes` is `Shared_Clean + Shared_Dirty`: pages mapped by more than this process.
package struct SmapsSharingReading: Equatable, Sendable {
    package var rssBytes: Int?
    package var pssBytes: Int?
    package var privateDirtyBytes: Int?
    package var sharedBytes: Int?

    package init(parsing text: UnsafeRawBufferPointer) {
        rssBytes = ProcTextScanner.kilobyteValue(of: "Rss:", in: text)
        pssBytes = ProcTextScanner.kilobyteValue(of: "Pss:", in: text)
        privateDirtyBytes = ProcTextScanner.kilobyteValue(of: "Private_Dirty:", in: text)
        let clean = ProcTextScanner.kilobyteValue(of: "Shared_Clean:", in: text)
        let dirty = ProcTextScanner.kilobyteValue(of: "Shared_Dirty:", in: text)
        sharedBytes = clean.flatMap { clean in dirty.map { clean + $0 } }
    }
}
