/// One checkpoint of a phase: how many nodes are alive, how long the phase has run with sampling time
/// excluded, and what every sampler saw, all in bytes. A sampler not read at this checkpoint is nil.
package struct MemorySample: Equatable, Sendable {
    package var nodesAlive: Int
    /// Time spent in the phase's own work since it began, sampling excluded, in ns.
    package var elapsedNs: Int
    /// `statm` resident pages × page size.
    package var rssBytes: Int?
    /// `status` RssAnon.
    package var rssAnonBytes: Int?
    /// `status` VmHWM, the peak resident set.
    package var vmHWMBytes: Int?
    /// `smaps_rollup` Rss, Pss, Private_Dirty and Anonymous (read where affordable, see `SamplingSchedule`).
    package var smapsRSSBytes: Int?
    package var pssBytes: Int?
    package var privateDirtyBytes: Int?
    package var anonymousBytes: Int?
    package var allocator: AllocatorStatistics
    /// What taking this sample cost, in ns.
    package var sampleNs: Int
    /// A program trial's samples that scanned its process tree: the RSS (`/proc/N/stat` rss × page size) summed over
    /// the program and its descendants, in bytes; nil elsewhere (node trials, samples between scans).
    package var treeRSSBytes: Int?

    package init(
        nodesAlive: Int, elapsedNs: Int, rssBytes: Int? = nil, rssAnonBytes: Int? = nil, vmHWMBytes: Int? = nil,
        smapsRSSBytes: Int? = nil, pssBytes: Int? = nil, privateDirtyBytes: Int? = nil, anonymousBytes: Int? = nil,
        allocator: AllocatorStatistics = AllocatorStatistics(), sampleNs: Int = 0, treeRSSBytes: Int? = nil
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
        self.treeRSSBytes = treeRSSBytes
    }
}
