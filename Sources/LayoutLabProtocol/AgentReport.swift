/// What the allocator agent (`layoutlab_agent.c`) reported of one program: the file that served its `malloc`,
/// the allocator's own figures in bytes (mapped as the worker maps them, `AllocatorStatistics`) on each timer
/// tick and at exit, and the program's peak and final resident set at exit, in bytes.
///
/// The report is text, one line per `write(2)`:
/// `provider <path>`, `unreadable <source> errno=<n>`,
/// `stats <elapsed_ns> sample_ns=<n> allocated=<n> active=<n> resident=<n> metadata=<n> mapped=<n> retained=<n>` (a
/// figure the allocator lacks is left out; `sample_ns`: what the read took), `end <elapsed_ns> vm_hwm_bytes=<n> vm_rss_bytes=<n> lines_lost=<n>` last (lines the last image could not
/// write: its pipe was full). A report without
/// `end` is a program that died before its exit (a crash, a signal): not malformed, `ended` is false.
package struct AgentReport: Sendable {
    /// The file whose `malloc` the program called, as the dynamic loader named it; the last image's when the
    /// process executed another program (each image of the process writes its own `provider` line).
    package var provider: String?
    /// How many images of the process reported (1, or more after `exec`).
    package var images: Int = 0
    /// Every `stats` line in order: the timer's ticks and the one at exit. `elapsedNs`: when the read began, in ns
    /// since the epoch the lab gave (the monitor's start of the program, the axis of its samples), else since the
    /// image loaded; `sampleNs`: what the read took, in ns (nil from an agent that did not say).
    package var statistics: [(elapsedNs: Int, sampleNs: Int?, statistics: AllocatorStatistics)] = []
    /// The figures read at exit (the `stats` line just before `end`); nil without `end`.
    package var finalStatistics: AllocatorStatistics?
    /// The process's `VmHWM` and `VmRSS` at exit, in bytes (nil where /proc/self/status did not say).
    package var vmHWMBytes: Int?
    package var vmRSSBytesAtEnd: Int?
    /// When the program ended, in ns on the axis of `statistics`.
    package var endElapsedNs: Int?
    /// Lines the last image's agent could not write (the pipe was full, so they are missing); nil from an agent that
    /// did not say.
    package var linesLost: Int?
    /// Whether the program reached its end (exit, return from main, `_exit`).
    package var ended: Bool = false
    /// The allocator's statistics could not be read (the source named is not loaded: errno 38, ENOSYS).
    package var unreadable: (source: String, code: Int)?

    package static let figureKeys = ["allocated", "active", "resident", "metadata", "mapped", "retained"]

    package init(parsing bytes: some Collection<UInt8>) throws(AgentReportError) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var previousWasStatistics = false
        for (index, raw) in lines.enumerated() {
            let text = String(decoding: raw, as: UTF8.self)
            func fail(_ expected: String) -> AgentReportError { AgentReportError(line: index + 1, text: text, expected: expected) }
            if ended { throw fail("nothing after the `end` line") }
            let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch words.first {
            case "provider":
                let path = String(text.dropFirst("provider ".count))
                guard text.hasPrefix("provider "), !path.isEmpty else { throw fail("`provider <path>`") }
                provider = path
                images += 1
                previousWasStatistics = false
            case "unreadable":
                guard words.count == 3, words[2].hasPrefix("errno="), let code = Int(words[2].dropFirst(6)) else {
                    throw fail("`unreadable <source> errno=<n>`")
                }
                unreadable = (words[1], code)
                previousWasStatistics = false
            case "stats":
                guard words.count >= 2, let elapsed = Self.count(words[1]) else { throw fail("`stats <elapsed_ns> key=bytes…`") }
                let values = try Self.pairs(words.dropFirst(2), keys: ["sample_ns"] + Self.figureKeys, fail: fail)
                if let took = values["sample_ns"], took < 0 { throw fail("sample_ns of 0 or more") }
                let figures = AllocatorStatistics(
                    allocatedBytes: values["allocated"], activeBytes: values["active"], residentBytes: values["resident"],
                    metadataBytes: values["metadata"], mappedBytes: values["mapped"], retainedBytes: values["retained"])
                statistics.append((elapsed, values["sample_ns"], figures))
                previousWasStatistics = true
            case "end":
                guard words.count >= 2, let elapsed = Self.count(words[1]) else { throw fail("`end <elapsed_ns> vm_hwm_bytes=<n> vm_rss_bytes=<n> lines_lost=<n>`") }
                let values = try Self.pairs(words.dropFirst(2), keys: ["vm_hwm_bytes", "vm_rss_bytes", "lines_lost"], fail: fail)
                guard values.values.allSatisfy({ $0 >= 0 }) else { throw fail("byte and line counts of 0 or more") }
                endElapsedNs = elapsed
                vmHWMBytes = values["vm_hwm_bytes"]
                vmRSSBytesAtEnd = values["vm_rss_bytes"]
                linesLost = values["lines_lost"]
                finalStatistics = previousWasStatistics ? statistics.last?.statistics : nil
                ended = true
            default:
                throw fail("a line beginning with provider, unreadable, stats or end")
            }
        }
    }

    /// A count (ns) of 0 or more, in decimal.
    private static func count(_ word: String) -> Int? {
        guard !word.isEmpty, word.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(word)
    }

    /// `key=value` words, each key one of `keys` at most once, each value a decimal Int (a figure may be negative:
    /// tcmalloc's are differences).
    private static func pairs(
        _ words: ArraySlice<String>, keys: [String], fail: (String) -> AgentReportError
    ) throws(AgentReportError) -> [String: Int] {
        var values: [String: Int] = [:]
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, keys.contains(String(parts[0])) else {
                throw fail("key=value with a key among \(keys.joined(separator: ", ")), not \"\(word)\"")
            }
            let magnitude = parts[1].hasPrefix("-") ? parts[1].dropFirst() : parts[1]
            guard !magnitude.isEmpty, magnitude.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(parts[1]) else {
                throw fail("a whole number of bytes after \(parts[0])=, not \"\(parts[1])\"")
            }
            guard values.updateValue(value, forKey: String(parts[0])) == nil else { throw fail("\(parts[0]) once") }
        }
        return values
    }
}
