/// What a trace replay (`WorkerLayout.trace`) reports besides its samples and counters, counted by the replay
/// itself. Bytes are exact; `rssAtPeakBytes` is the RSS sample of the checkpoint right after the event at which the
/// live requested bytes first reached their peak. Peak figures are counted over the recorded sequence order (a
/// multi-thread replay's after it, from what its threads did). Nil where not measured: never a made-up 0.
package struct ReplayFigures: Equatable, Sendable {
    /// Events in the trace (every recorded call, replayed or skipped).
    package var events: Int
    /// Events replayed as a call; the others (a failed call, a free or realloc of a block the tracer did not
    /// know, malloc_usable_size of no block) were skipped.
    package var replayedCalls: Int
    /// Events done when the live requested bytes first reached their peak (the replay's checkpoint there).
    package var peakEvents: Int
    /// Requested bytes of the blocks alive at that point (malloc's size, calloc's count × size, …).
    package var peakLiveRequestedBytes: Int
    /// `malloc_usable_size` summed over the same blocks: each read right after the call that made the block.
    package var peakLiveUsableBytes: Int
    /// RSS (`statm`) at that checkpoint, in bytes; nil when the sample could not be taken.
    package var rssAtPeakBytes: Int?
    /// Threads the replay ran on: the trace's (`traceThreads`), each replaying its own events in recorded order.
    package var replayThreads: Int
    /// Threads that made calls in the trace.
    package var traceThreads: Int

    package init(
        events: Int, replayedCalls: Int, peakEvents: Int, peakLiveRequestedBytes: Int, peakLiveUsableBytes: Int,
        rssAtPeakBytes: Int?, replayThreads: Int, traceThreads: Int
    ) {
        self.events = events
        self.replayedCalls = replayedCalls
        self.peakEvents = peakEvents
        self.peakLiveRequestedBytes = peakLiveRequestedBytes
        self.peakLiveUsableBytes = peakLiveUsableBytes
        self.rssAtPeakBytes = rssAtPeakBytes
        self.replayThreads = replayThreads
        self.traceThreads = traceThreads
    }

    /// The fields in the order the worker protocol carries them.
    package var fields: [Int?] {
        [events, replayedCalls, peakEvents, peakLiveRequestedBytes, peakLiveUsableBytes, rssAtPeakBytes, replayThreads, traceThreads]
    }

    /// Reads `fields` back; nil unless every field but `rssAtPeakBytes` is present.
    package init?(fields: [Int?]) {
        guard fields.count == 8, let events = fields[0], let replayed = fields[1], let peakEvents = fields[2],
            let requested = fields[3], let usable = fields[4], let replayThreads = fields[6], let traceThreads = fields[7]
        else { return nil }
        self.init(
            events: events, replayedCalls: replayed, peakEvents: peakEvents, peakLiveRequestedBytes: requested,
            peakLiveUsableBytes: usable, rssAtPeakBytes: fields[5], replayThreads: replayThreads, traceThreads: traceThreads)
    }
}
