import CSV
import LayoutLabTables
import Foundation

/// `trials.journal` in a results folder: the source of truth while a run goes on. One entry per finished trial,
/// appended and `fsync`ed before the folder's CSV files are assembled from it: the trial's `samples.csv` rows,
/// its `phases.csv` rows, its `allocation-sizes.csv` rows and its `trials.csv` row, as the CSV lines those files
/// hold. An entry is a text line
///
///     trial <sample rows> <phase rows> <size rows> <payload bytes> <FNV-1a 64 of the payload, 16 hex digits>
///
/// followed by the payload, after the file's first line `layoutlab trial journal 2 columns <FNV-1a of the
/// four tables' headers>`. A SIGKILL (or a power
/// loss after the last `fsync`) can leave only the last entry unfinished: reading stops at the first entry whose
/// line, length or checksum is not whole, and that tail is cut before the next append. Appending costs the
/// trial's own bytes, whatever the number of trials before it.
struct TrialJournal {
    static let fileName = "trials.journal"
    /// The first line names the format and the columns its rows are in: an FNV-1a of the four tables'
    /// headers, so a journal written by a version of the lab with other columns (even as many, in another
    /// order) is refused instead of read into the wrong fields.
    static let firstLine = firstLine(samplesHeader: SamplesTable.header)
    static let formatPrefix = "layoutlab trial journal 2 "
    static var columnsFingerprint: UInt64 { columnsFingerprint(samplesHeader: SamplesTable.header) }

    /// The samples columns of earlier versions of the lab whose journals are still read: their rows are the current
    /// columns' first ones, the rest empty (columns are only ever appended to `samples.csv`). Before
    /// `tree_rss_bytes` (a program's process tree): the header without it.
    static let earlierSamplesHeaders: [[String]] = [Array(SamplesTable.header.dropLast())]

    /// The first line of a journal whose samples rows have `samplesHeader`'s columns (the other tables' as now).
    static func firstLine(samplesHeader: [String]) -> String {
        "\(formatPrefix)columns \(String(columnsFingerprint(samplesHeader: samplesHeader), radix: 16))\n"
    }

    static func columnsFingerprint(samplesHeader: [String]) -> UInt64 {
        let headers = [samplesHeader, PhasesTable.header, AllocationSizesTable.header, TrialsTable.header].map { $0.joined(separator: ",") }
        return fnv1a(Array(headers.joined(separator: "\n").utf8)[...])
    }

    /// One trial's rows, cells as written (an empty cell reads back as "").
    struct Entry: Equatable {
        var samples: [[String?]]
        var phases: [[String?]]
        var sizes: [[String?]] = []
        var trial: [String?]
    }

    /// What a journal file holds: its whole entries, and where they end (the length to cut the file to).
    struct Contents {
        var entries: [Entry] = []
        var wholeBytes = 0
        /// Bytes after the last whole entry: an append that a kill cut short.
        var tornBytes = 0
        /// Written by an earlier version with fewer samples columns (`earlierSamplesHeaders`): its entries are read
        /// padded to the current columns, and a resume writes the journal again whole before appending to it.
        var earlierColumns = false
    }

    /// The journal's entries; nil when the file does not exist.
    static func read(_ url: URL) throws -> Contents? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try parse([UInt8](data), file: url.path)
    }

    /// The whole entries of a journal's bytes, `file` naming it in errors.
    static func parse(_ bytes: [UInt8], file: String) throws -> Contents {
        var contents = Contents()
        var first = Array(firstLine.utf8)
        var samplesWidth = SamplesTable.header.count
        for earlier in earlierSamplesHeaders {
            let line = Array(firstLine(samplesHeader: earlier).utf8)
            if bytes.count >= line.count, Array(bytes[0..<line.count]) == line {
                first = line
                samplesWidth = earlier.count
                contents.earlierColumns = true
            }
        }
        guard bytes.count >= first.count, Array(bytes[0..<first.count]) == first else {
            // Cut inside its first line (a kill as the file was created), or not a journal at all.
            if first.starts(with: bytes) {
                contents.tornBytes = bytes.count
                return contents
            }
            // A journal of this lab, of another format or other columns (its first line names them).
            if bytes.starts(with: Array("layoutlab trial journal ".utf8)) {
                throw TrialJournalError.otherColumns(file: file, journalFile: fileName)
            }
            throw TrialJournalError.notAJournal(file: file, expectedFirstLine: String(firstLine.dropLast()))
        }
        var offset = first.count
        contents.wholeBytes = offset
        while offset < bytes.count {
            guard var (entry, end) = try entry(in: bytes, at: offset, file: file) else { break }
            if samplesWidth < SamplesTable.header.count {
                entry.samples = entry.samples.map { row in
                    row.count == samplesWidth ? row + Array(repeating: nil, count: SamplesTable.header.count - samplesWidth) : row
                }
            }
            contents.entries.append(entry)
            offset = end
            contents.wholeBytes = end
        }
        contents.tornBytes = bytes.count - contents.wholeBytes
        return contents
    }

    /// The entry starting at `offset` and where it ends; nil when it is not whole (its line cut, its payload
    /// short, or the checksum not the payload's).
    private static func entry(in bytes: [UInt8], at offset: Int, file: String) throws -> (Entry, Int)? {
        guard let lineEnd = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let fields = String(decoding: bytes[offset..<lineEnd], as: UTF8.self).split(separator: " ")
        guard fields.count == 6, fields[0] == "trial", let sampleCount = Int(fields[1]), let phaseCount = Int(fields[2]),
            let sizeCount = Int(fields[3]), let length = Int(fields[4]), length >= 0, let checksum = UInt64(fields[5], radix: 16)
        else { return nil }
        let start = lineEnd + 1
        guard bytes.count - start >= length, fnv1a(bytes[start..<(start + length)]) == checksum else { return nil }
        let rows = try CSVReader(string: String(decoding: bytes[start..<(start + length)], as: UTF8.self), hasHeaderRow: false)
            .map { $0.map { Optional($0) } }
        // A whole entry (its checksum holds) of the wrong shape was written by something else than this lab.
        let expected = sampleCount + phaseCount + sizeCount + 1
        guard sampleCount >= 0, phaseCount >= 0, sizeCount >= 0, rows.count == expected, let trial = rows.last else {
            throw TrialJournalError.entryRowCount(file: file, offset: offset, rows: rows.count, expected: expected)
        }
        let phasesEnd = sampleCount + phaseCount
        let entry = Entry(
            samples: Array(rows[0..<sampleCount]), phases: Array(rows[sampleCount..<phasesEnd]),
            sizes: Array(rows[phasesEnd..<(phasesEnd + sizeCount)]), trial: trial)
        return (entry, start + length)
    }

    /// The bytes of one entry: its line and its payload.
    static func encode(
        samples: String, sampleCount: Int, phases: String, phaseCount: Int, sizes: String = "", sizeCount: Int = 0, trial: String
    ) -> [UInt8] {
        let payload = Array((samples + phases + sizes + trial).utf8)
        let checksum = String(fnv1a(payload[...]), radix: 16)
        let line = "trial \(sampleCount) \(phaseCount) \(sizeCount) \(payload.count) \(String(repeating: "0", count: 16 - checksum.count))\(checksum)\n"
        return Array(line.utf8) + payload
    }

    /// FNV-1a, 64 bits: enough to tell a whole payload from one a crash left half written.
    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
