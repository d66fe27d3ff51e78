/// One checkpoint of a phase: how many nodes are alive, how long the phase has run with sampling time
/// excluded, and what every sampler saw, all in bytes. A sampler not read at this checkpoint is nil.
public struct MemorySample: Equatable, Sendable {
    public var nodesAlive: Int
    /// Time spent in the phase's own work since it began, sampling excluded, in ns.
    public var elapsedNs: Int
    /// `statm` resident pages × page size.
    public var rssBytes: Int?
    /// `status` RssAnon.
    public var rssAnonBytes: Int?
    /// `status` VmHWM, the peak resident set.
    public var vmHWMBytes: Int?
    /// `smaps_rollup` Rss, Pss, Private_Dirty and Anonymous (read where affordable, see `SamplingSchedule`).
    public var smapsRSSBytes: Int?
    public var pssBytes: Int?
    public var privateDirtyBytes: Int?
    public var anonymousBytes: Int?
    public var allocator: AllocatorStatistics
    /// What taking this sample cost, in ns.
    public var sampleNs: Int

    public init(
        nodesAlive: Int, elapsedNs: Int, rssBytes: Int? = nil, rssAnonBytes: Int? = nil, vmHWMBytes: Int? = nil,
        smapsRSSBytes: Int? = nil, pssBytes: Int? = nil, privateDirtyBytes: Int? = nil, anonymousBytes: Int? = nil,
        allocator: AllocatorStatistics = AllocatorStatistics(), sampleNs: Int = 0
    ) {
        self.nodesAlive = nodesAlive
        self.elapsedNs = elapsedNs
        self.rssBytes = rssBytes
        self.rssAnonBytes = rssAnonBytes
        self.vmHWMBytes = vmHWMBytes
        self.smapsRSSBytes = smapsRSSBytes
        self.pssBytes = pssBytes
        self.privateDirtyBytes = privateDirtyBytes
        self.anonymousBytes = anonymousBytes
        self.allocator = allocator
        self.sampleNs = sampleNs
    }
}
