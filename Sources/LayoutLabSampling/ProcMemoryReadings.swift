/// Resident set from `/proc/self/statm`: field 2 (resident pages) times the page size, in bytes.
public struct StatmReading: Equatable, Sendable {
    public var residentBytes: Int

    /// Parses statm text; `pageSizeBytes` converts pages to bytes. Nil when the text is not statm.
    public init?(parsing text: UnsafeRawBufferPointer, pageSizeBytes: Int) {
        guard let pages = ProcTextScanner.field(1, in: text) else { return nil }
        residentBytes = pages * pageSizeBytes
    }
}

/// The lines of `/proc/self/status` the lab records, in bytes (the kernel writes kB). Nil where absent.
public struct StatusReading: Equatable, Sendable {
    public var vmRSSBytes: Int?
    public var rssAnonBytes: Int?
    public var vmHWMBytes: Int?

    public init(parsing text: UnsafeRawBufferPointer) {
        vmRSSBytes = ProcTextScanner.kilobyteValue(of: "VmRSS:", in: text)
        rssAnonBytes = ProcTextScanner.kilobyteValue(of: "RssAnon:", in: text)
        vmHWMBytes = ProcTextScanner.kilobyteValue(of: "VmHWM:", in: text)
    }
}

/// The totals of `/proc/self/smaps_rollup` the lab records, in bytes. Nil where absent.
public struct SmapsRollupReading: Equatable, Sendable {
    public var rssBytes: Int?
    public var pssBytes: Int?
    public var privateDirtyBytes: Int?
    public var anonymousBytes: Int?

    public init(parsing text: UnsafeRawBufferPointer) {
        // smaps_rollup starts with a header line (the address range), then `Key: value kB` lines.
        rssBytes = ProcTextScanner.kilobyteValue(of: "Rss:", in: text)
        pssBytes = ProcTextScanner.kilobyteValue(of: "Pss:", in: text)
        privateDirtyBytes = ProcTextScanner.kilobyteValue(of: "Private_Dirty:", in: text)
        anonymousBytes = ProcTextScanner.kilobyteValue(of: "Anonymous:", in: text)
    }
}
