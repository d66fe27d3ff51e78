/// What one child of a `fork` phase measured of itself, read from its own `/proc/self/smaps_rollup` just before
/// and just after its work, in bytes (ns for the time). Nil where a figure could not be read.
package struct ForkChildReport: Equatable, Sendable {
    /// 0-based, in the order the parent forked them.
    package var child: Int
    /// Wall time of the child's work on every node (`CLOCK_MONOTONIC`), in ns.
    package var workNs: Int?
    /// `Private_Dirty` right after the fork, before the work, and after it: the growth is what the child
    /// un-shared by its work (copy-on-write copies of pages it wrote, reference counts included).
    package var privateDirtyBytesBefore: Int?
    package var privateDirtyBytesAfter: Int?
    /// `Shared_Clean + Shared_Dirty` after the work: pages still shared with the parent (or others).
    package var sharedBytesAfter: Int?
    /// `Pss` after the work, read while every child and the parent are still alive.
    package var pssBytesAfter: Int?
    /// `Rss` after the work.
    package var rssBytesAfter: Int?

    package init(
        child: Int, workNs: Int? = nil, privateDirtyBytesBefore: Int? = nil, privateDirtyBytesAfter: Int? = nil,
        sharedBytesAfter: Int? = nil, pssBytesAfter: Int? = nil, rssBytesAfter: Int? = nil
    ) {
        self.child = child
        self.workNs = workNs
        self.privateDirtyBytesBefore = privateDirtyBytesBefore
        self.privateDirtyBytesAfter = privateDirtyBytesAfter
        self.sharedBytesAfter = sharedBytesAfter
        self.pssBytesAfter = pssBytesAfter
        self.rssBytesAfter = rssBytesAfter
    }

    /// What the work un-shared: Private_Dirty after − before, in bytes.
    package var privateDirtyGrowthBytes: Int? {
        guard let before = privateDirtyBytesBefore, let after = privateDirtyBytesAfter else { return nil }
        return after - before
    }

    /// The fields in the order the worker protocol carries them (after `child`).
    package var fields: [Int?] { [workNs, privateDirtyBytesBefore, privateDirtyBytesAfter, sharedBytesAfter, pssBytesAfter, rssBytesAfter] }

    /// Rebuilds a report from `child` and `fields`; nil unless there are exactly 6 fields.
    package init?(child: Int, fields: [Int?]) {
        guard fields.count == 6 else { return nil }
        self.init(
            child: child, workNs: fields[0], privateDirtyBytesBefore: fields[1], privateDirtyBytesAfter: fields[2],
            sharedBytesAfter: fields[3], pssBytesAfter: fields[4], rssBytesAfter: fields[5])
    }
}
