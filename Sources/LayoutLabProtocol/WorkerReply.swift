/// One line a worker writes on stdout once its phase is over (never while it is measuring).
/// Fields are tab-separated; an absent figure is an empty field.
package enum WorkerReply: Equatable, Sendable {
    /// Which shared object really serves `malloc`, and the allocator's own version string if it has one.
    case identity(mallocProvider: String, allocatorVersion: String?)
    /// One checkpoint of the phase at `phaseIndex` in the request's list; its figures in `MemorySample.Field` order.
    case sample(phaseIndex: Int, MemorySample)
    /// The end of a phase.
    case phase(PhaseOutcome)
    /// What the phase at `phaseIndex` cost besides time (`PhaseCounters.fields` in order, empty where unread).
    case counters(phaseIndex: Int, PhaseCounters)
    /// Allocation sizes measured after the phases: totals, the node's own object, and the node allocations by
    /// requested size (`AllocationProbe.replyFields`: its integers in `AllocationProbe.Field` order, then
    /// `requested:allocations:usable_sum` per size, comma-separated).
    case probe(AllocationProbe)
    /// A Python worker's own probe: over `probeNodes` nodes, `sys.getsizeof` of each node with its `__dict__`
    /// and its own field objects, and what `tracemalloc` traced while they were built (bytes).
    case python(probeNodes: Int, getsizeofBytes: Int, tracemallocBytes: Int?)
    /// A phase run on a pool of threads (`WorkerRequest.threads` ≥ 1): per-thread times and the allocator's threads.
    case threads(phaseIndex: Int, ThreadPhaseFigures)
    /// One child of a `fork` phase.
    case forkChild(phaseIndex: Int, ForkChildReport)
    /// A Python worker's interpreter: whether the GIL is on (false only in a free-threaded build running without
    /// it), and the process's RSS at the worker's first line, before the lab imported anything (bytes).
    case interpreter(gilEnabled: Bool, startRSSBytes: Int?)
    /// A trace replay's own figures (`ReplayFigures.fields` in order, empty where unread).
    case replay(ReplayFigures)
    /// A program run as the trial (`WorkerLayout.program`): how it ended and what it cost (`ProgramFigures.fields`).
    case program(ProgramFigures)
    /// What the allocator agent wrote on its pipe while the program ran (`--agent-library`), as raw bytes; carried
    /// as lowercase hex so that its line breaks and tabs stay inside the field.
    case agent([UInt8])
    /// The trial failed; the text says why.
    case failure(String)
    /// Everything has been written.
    case done

    package var line: String {
        switch self {
        case .identity(let provider, let version):
            return ["identity", provider, version ?? ""].joined(separator: "\t")
        case .sample(let phaseIndex, let sample):
            let cells: [String] = sample.values.map { value in value.map { String($0) } ?? "" }
            return (["sample", String(phaseIndex)] + cells).joined(separator: "\t")
        case .phase(let outcome):
            return ["phase", String(outcome.index), outcome.spec.description, String(outcome.checksum),
                    String(outcome.liveNodes), outcome.applicable ? "1" : "0"].joined(separator: "\t")
        case .counters(let phaseIndex, let counters):
            return (["counters", String(phaseIndex)] + counters.fields.map { $0.map(String.init) ?? "" }).joined(separator: "\t")
        case .probe(let probe):
            return (["probe"] + probe.replyFields).joined(separator: "\t")
        case .python(let probeNodes, let getsizeof, let traced):
            return "python\t\(probeNodes)\t\(getsizeof)\t\(traced.map(String.init) ?? "")"
        case .threads(let phaseIndex, let figures):
            return (["threads", String(phaseIndex), String(figures.threads)] + figures.fields.map { $0.map(String.init) ?? "" })
                .joined(separator: "\t")
        case .forkChild(let phaseIndex, let report):
            return (["fork-child", String(phaseIndex), String(report.child)] + report.fields.map { $0.map(String.init) ?? "" })
                .joined(separator: "\t")
        case .interpreter(let gil, let rss):
            return "interpreter\t\(gil ? 1 : 0)\t\(rss.map(String.init) ?? "")"
        case .replay(let figures):
            return (["replay"] + figures.fields.map { $0.map(String.init) ?? "" }).joined(separator: "\t")
        case .program(let figures):
            return (["program"] + figures.fields.map { $0.map(String.init) ?? "" }).joined(separator: "\t")
        case .agent(let bytes):
            let digits = Array("0123456789abcdef".utf8)
            var hex: [UInt8] = []
            hex.reserveCapacity(bytes.count * 2)
            for byte in bytes { hex += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
            return "agent\t" + String(decoding: hex, as: UTF8.self)
        case .failure(let message):
            return "failure\t" + String(message.map { $0 == "\n" || $0 == "\t" ? " " : $0 })
        case .done:
            return "done"
        }
    }

    package init(line: String) throws(WorkerProtocolError) {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "identity" where parts.count == 3:
            self = .identity(mallocProvider: parts[1], allocatorVersion: parts[2].isEmpty ? nil : parts[2])
        case "sample" where parts.count == 2 + Self.sampleFieldCount:
            guard let index = Int(parts[1]) else { throw .malformed("sample phase \(parts[1]) is not an index") }
            guard let sample = MemorySample(values: try Self.optionalIntegers(parts[2...], what: "sample")) else {
                throw .malformed("sample lacks nodes, elapsed time or cost")
            }
            self = .sample(phaseIndex: index, sample)
        case "phase" where parts.count == 6:
            guard let index = Int(parts[1]), let spec = PhaseSpec(parts[2]), let checksum = Int(parts[3]),
                let live = Int(parts[4]), parts[5] == "0" || parts[5] == "1"
            else { throw .malformed("unexpected phase line: \(line.prefix(200))") }
            self = .phase(PhaseOutcome(index: index, spec: spec, checksum: checksum, liveNodes: live, applicable: parts[5] == "1"))
        case "counters" where parts.count == 2 + Self.counterFieldCount:
            guard let index = Int(parts[1]) else { throw .malformed("counters phase \(parts[1]) is not an index") }
            let fields = try Self.optionalIntegers(parts[2...], what: "counters")
            guard let counters = PhaseCounters(fields: fields) else { throw .malformed("unexpected counters line: \(line.prefix(200))") }
            self = .counters(phaseIndex: index, counters)
        case "probe":
            self = .probe(try AllocationProbe(replyFields: parts[1...]))
        case "python" where parts.count == 4:
            guard let probe = Int(parts[1]) else { throw .malformed("unexpected python line: \(line.prefix(200))") }
            self = .python(probeNodes: probe, getsizeofBytes: Int(parts[2]) ?? 0, tracemallocBytes: Int(parts[3]))
        case "threads" where parts.count == 10:
            guard let index = Int(parts[1]), let threads = Int(parts[2]), threads >= 1,
                let figures = ThreadPhaseFigures(threads: threads, fields: try Self.optionalIntegers(parts[3...], what: "threads"))
            else { throw .malformed("unexpected threads line: \(line.prefix(200))") }
            self = .threads(phaseIndex: index, figures)
        case "fork-child" where parts.count == 9:
            guard let index = Int(parts[1]), let child = Int(parts[2]), child >= 0,
                let report = ForkChildReport(child: child, fields: try Self.optionalIntegers(parts[3...], what: "fork-child"))
            else { throw .malformed("unexpected fork-child line: \(line.prefix(200))") }
            self = .forkChild(phaseIndex: index, report)
        case "interpreter" where parts.count == 3 && (parts[1] == "0" || parts[1] == "1"):
            self = .interpreter(gilEnabled: parts[1] == "1", startRSSBytes: Int(parts[2]))
        case "replay" where parts.count == 9:
            guard let figures = ReplayFigures(fields: try Self.optionalIntegers(parts[1...], what: "replay")) else {
                throw .malformed("unexpected replay line: \(line.prefix(200))")
            }
            self = .replay(figures)
        case "program" where parts.count == 14:
            guard let figures = ProgramFigures(fields: try Self.optionalIntegers(parts[1...], what: "program")) else {
                throw .malformed("unexpected program line: \(line.prefix(200))")
            }
            self = .program(figures)
        case "agent" where parts.count == 2:
            self = .agent(try Self.bytes(hex: parts[1]))
        case "failure" where parts.count == 2:
            self = .failure(parts[1])
        case "done" where parts.count == 1:
            self = .done
        default:
            throw .malformed("unexpected worker line: \(line.prefix(200))")
        }
    }

    private static let sampleFieldCount = MemorySample.Field.allCases.count
    private static let counterFieldCount = PhaseCounters().fields.count

    /// The bytes of lowercase hex text (two digits a byte).
    private static func bytes(hex text: String) throws(WorkerProtocolError) -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw .malformed("agent bytes: an odd number of hex digits") }
        func value(_ digit: UInt8) throws(WorkerProtocolError) -> UInt8 {
            switch digit {
            case 0x30...0x39: return digit - 0x30
            case 0x61...0x66: return digit - 0x61 + 10
            default: throw .malformed("agent bytes: \(Character(Unicode.Scalar(digit))) is not a lowercase hex digit")
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) { bytes.append(try value(digits[index]) << 4 | value(digits[index + 1])) }
        return bytes
    }

    /// Integers, with an empty field as nil; anything else breaks the protocol.
    private static func optionalIntegers(_ texts: ArraySlice<String>, what: String) throws(WorkerProtocolError) -> [Int?] {
        var values: [Int?] = []
        for text in texts {
            if text.isEmpty {
                values.append(nil)
            } else if let value = Int(text) {
                values.append(value)
            } else {
                throw .malformed("\(what) field \(text) is not an integer")
            }
        }
        return values
    }
}
