import CLayoutLabShims
import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis

/// Issue 15: the probe counts every allocation a node makes and splits it, by the metadata `swift_allocObject`
/// receives, into the node's own object and its out-of-line storage; it counts the node allocations by
/// requested size (`allocation-sizes.csv`).
@Suite("Allocation split", .serialized)
struct AllocationSplitTests {
    /// The hook's bookkeeping with two fake metadata pointers: only the node class's is the object.
    @Test func theHookSplitsByMetadataAndCountsSizes() throws {
        let node = UnsafeRawPointer(bitPattern: 0x1000)
        let other = UnsafeRawPointer(bitPattern: 0x2000)
        let bins = UnsafeMutableBufferPointer<ll_allocation_size_bin>.allocate(capacity: 8)
        defer { bins.deallocate() }
        #expect(ll_allocation_counter_reset(node, bins.baseAddress, 6) == EINVAL, "6 bins is not a power of two")
        #expect(ll_allocation_counter_reset(node, bins.baseAddress, 8) == 0)
        ll_allocation_counter_record(node, 32, 40)
        ll_allocation_counter_record(node, 32, 40)
        ll_allocation_counter_record(other, 48, 56)
        ll_allocation_counter_record(nil, 100, 104)
        // The table holds at most 8 / 2 = 4 sizes: the fifth and sixth new sizes fall in no bin.
        ll_allocation_counter_record(other, 200, 208)
        ll_allocation_counter_record(other, 300, 312)
        ll_allocation_counter_record(other, 400, 408)
        ll_allocation_counter_record(other, 32, 40)
        var totals = ll_allocation_totals()
        ll_swift_allocation_counter_stop(&totals)
        #expect(totals.allocations == 8 && totals.requested_bytes == 1144 && totals.usable_bytes == 1208)
        #expect(totals.object_allocations == 2 && totals.object_requested_bytes == 64 && totals.object_usable_bytes == 80)
        #expect(totals.distinct_sizes == 4 && totals.unbinned_allocations == 2)
        let used = bins.filter { $0.allocations > 0 }.map { [$0.requested_bytes, $0.allocations, $0.usable_bytes] }
            .sorted { $0[0] < $1[0] }
        #expect(used == [[32, 3, 120], [48, 1, 56], [100, 1, 104], [200, 1, 208]])
    }

    /// The `probe` reply line carries the split and the sizes and reads back the same; a bad field is named.
    @Test func theProbeLineRoundTripsAndNamesABadField() throws {
        let probe = AllocationProbe(
            probeNodes: 4, containerAllocations: 1, containerRequestedBytes: 64, containerUsableBytes: 72, nodeAllocations: 8,
            nodeRequestedBytes: 384, nodeUsableBytes: 416, nodeObjectAllocations: 4, nodeObjectRequestedBytes: 128,
            nodeObjectUsableBytes: 128, unbinnedAllocations: 0,
            sizes: [AllocationSizeCount(requestedBytes: 32, allocations: 4, usableBytesSum: 128),
                    AllocationSizeCount(requestedBytes: 64, allocations: 4, usableBytesSum: 288)])
        let line = WorkerReply.probe(probe).line
        #expect(line == "probe\t4\t1\t64\t72\t8\t384\t416\t4\t128\t128\t0\t32:4:128,64:4:288")
        #expect(try WorkerReply(line: line) == .probe(probe))
        var none = probe
        none.sizes = []
        #expect(try WorkerReply(line: WorkerReply.probe(none).line) == .probe(none), "no sizes: an empty last field")
        #expect(probe.outOfLineAllocations == 4 && probe.outOfLineRequestedBytes == 256 && probe.outOfLineUsableBytes == 288)
        func message(_ line: String) -> String {
            do throws(WorkerProtocolError) {
                _ = try WorkerReply(line: line)
                return "parsed"
            } catch {
                return error.description
            }
        }
        #expect(message(line.replacing("\t384\t", with: "\tmany\t")).contains("nodeRequestedBytes"), "\(message(line.replacing("\t384\t", with: "\tmany\t")))")
        #expect(message(line.replacing("32:4:128", with: "32:4")).contains("32:4"))
        #expect(message(line.replacing("\t0\t32", with: "\t32")).contains("12 fields"))
        #expect(message("probe\t4\t1\t64\t72\t8\t384\t416\t9\t128\t128\t0\t").contains("exceed"))
    }

    static func run(_ layouts: [String], nodes: Int) throws -> (trials: [[String: String]], sizes: [[String: String]], out: URL) {
        let directory = try TestSupport.temporaryDirectory("split")
        let file = directory.appendingPathComponent("split.json")
        try """
            { "name": "split", "layouts": [\(layouts.map { "\"\($0)\"" }.joined(separator: ", "))],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"},
                                                         {"name": "flag", "type": "bool"} ] } ],
              "nodes": [\(nodes)], "allocators": ["system"], "repetitions": 1, "checkpoints": 4, "probe_nodes": 5000 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        return (try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows,
                try TestSupport.readCSV(out.appendingPathComponent(ResultsFolder.allocationSizesFile)).rows, out)
    }

    /// Real workers: a final (or open) class of scalars is one block whose request is its 16-byte header + its payload
    /// (the metadata the generated entry point returns is the one swift_allocObject receives); a struct array has
    /// no node object and one block for all its nodes; a dict-class node is its object (header + a dictionary
    /// reference) and out-of-line dictionary storage. The size table adds up to every node allocation, and the
    /// folder reads back (journal) as written.
    @Test func realWorkersSplitTheirNodesAndCountEverySize() throws {
        let nodes = 20_000
        let (trials, sizes, out) = try Self.run(["final-class", "class", "struct-array", "dict-class"], nodes: nodes)
        func trial(_ layout: String) throws -> [String: String] {
            try #require(trials.first { $0["layout"] == layout }, "no \(layout) row")
        }
        func number(_ row: [String: String], _ column: String) throws -> Double {
            try #require(Double(row[column] ?? ""), "\(column) of \(row["trial_id"] ?? "?") is empty")
        }
        let finalClass = try trial("final-class")
        let payload = try number(finalClass, "payload_size_bytes")
        #expect(payload == 17)
        #expect(try number(finalClass, "heap_allocations_per_node") == 1)
        #expect(try number(finalClass, "object_requested_bytes_per_node") == 16 + payload)
        #expect(try number(finalClass, "out_of_line_requested_bytes_per_node") == 0)
        #expect(try number(finalClass, "object_usable_bytes_per_node") == (try number(finalClass, "usable_bytes_per_node")))
        #expect(try number(finalClass, "requested_bytes_per_node") == 16 + payload)
        let openClass = try trial("class")
        #expect(try number(openClass, "heap_allocations_per_node") == 1)
        #expect(try number(openClass, "object_requested_bytes_per_node") == 16 + payload, "an open class's metadata too")

        let structArray = try trial("struct-array")
        #expect(try number(structArray, "heap_allocations_per_node") == 0, "one array block shared by \(nodes) nodes")
        #expect(try number(structArray, "object_requested_bytes_per_node") == 0)
        let stride = try number(structArray, "payload_stride_bytes")
        #expect(abs(try number(structArray, "out_of_line_requested_bytes_per_node") - stride) < 0.01)

        let dictClass = try trial("dict-class")
        #expect(try number(dictClass, "object_requested_bytes_per_node") == 24, "16-byte header + the dictionary reference")
        #expect(try number(dictClass, "heap_allocations_per_node") >= 2)
        #expect(try number(dictClass, "out_of_line_requested_bytes_per_node") > 100, "the dictionary storage")
        let split = RequestedBytesSplit(
            requested: try number(dictClass, "requested_bytes_per_node"),
            outOfLine: try number(dictClass, "out_of_line_requested_bytes_per_node"), layout: .dictClass,
            shape: Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64), Field(name: "flag", type: .bool)]))
        #expect(abs(split.headers - 24) < 0.01 && (split.dictionaryStorage ?? 0) > 80 && split.outOfLineStorage == 0)

        for row in trials {
            let id = row["trial_id"] ?? ""
            let mine = sizes.filter { $0["trial_id"] == id }
            let counted = mine.compactMap { Int($0["allocations"] ?? "") }.reduce(0, +)
            let probeNodes = try number(row, "probe_nodes")
            let expected = try number(row, "heap_allocations_per_node") * probeNodes
            // Per node to three decimals: the product is within probe_nodes × 0.0005 of the count.
            #expect(abs(Double(counted) - expected) <= probeNodes * 0.0005 + 1e-9, "\(id): \(counted) vs \(expected)")
            #expect(counted > 0, "\(id) has size rows")
            #expect(row["probe_unbinned_allocations"] == "0", "\(id): every node allocation is in a size row")
            let requested = mine.compactMap { row in Int(row["requested_bytes"] ?? "").flatMap { r in Int(row["allocations"] ?? "").map { r * $0 } } }
                .reduce(0, +)
            #expect(abs(Double(requested) - (try number(row, "requested_bytes_per_node")) * probeNodes) <= probeNodes * 0.0005 + 1e-6, "\(id)")
        }
        let finalSizes = sizes.filter { $0["trial_id"] == finalClass["trial_id"] }
        #expect(finalSizes.count == 1 && finalSizes.first?["requested_bytes"] == "33" && finalSizes.first?["allocations"] == "5000")

        let reopened = try ResultsFolder.open(out)
        #expect(reopened.allocationSizeRows.count == sizes.count)
        #expect(AllocationSizesTable.schema.table(reopened.allocationSizeRows).text
            == (try String(contentsOf: out.appendingPathComponent(ResultsFolder.allocationSizesFile), encoding: .utf8)))
        let record = try #require(reopened.records.first { $0.trial.layout == .finalClass })
        #expect(record.metrics.heapAllocationsPerNode == 1 && record.metrics.objectRequestedBytesPerNode == 33)

        // The bytes-per-node chart data: the object's parts and the out-of-line storage, from the measured split.
        let shape = try #require(reopened.experiment.shapes.first)
        let breakdown = ChartData.breakdown(run: reopened.run, focus: ChartData.Focus(shape: shape, nodes: nodes))
        func bar(_ layout: LayoutKind) throws -> [String: String] {
            let row = try #require(breakdown.rows.first { $0[1] == layout.rawValue }, "no \(layout) bar")
            return Dictionary(uniqueKeysWithValues: zip(breakdown.header, row.map { $0 ?? "" }))
        }
        let finalBar = try bar(.finalClass)
        #expect(finalBar["out_of_line"] == "0.000" && finalBar["headers"] == "16.000" && finalBar["payload"] == "17.000")
        #expect(finalBar["heap_allocations_per_node"] == "1.000" && finalBar["object_requested_bytes_per_node"] == "33.000")
        let dictBar = try bar(.dictClass)
        #expect(dictBar["out_of_line"] == "0.000" && dictBar["headers"] == "24.000", "\(dictBar)")
        #expect(Double(dictBar["dictionary_storage"] ?? "") == (try number(dictClass, "out_of_line_requested_bytes_per_node")) - 17)
    }

    /// The split of requested bytes with a measured out-of-line part: a class's strings are out-of-line storage
    /// apart from its header and payload; a struct array's bytes beyond its records are out-of-line too.
    @Test func aMeasuredOutOfLinePartIsItsOwnSegment() {
        let named = Shape(name: "n", fields: [Field(name: "id", type: .int64), Field(name: "name", type: .string, length: .fixed(40))])
        let payload = Double(PayloadLayout.columnBytes(of: named.fields))
        let classSplit = RequestedBytesSplit(requested: 16 + payload + 72, outOfLine: 72, layout: .finalClass, shape: named)
        #expect(classSplit.outOfLineStorage == 72 && classSplit.headers == 16 && classSplit.object == 16 + payload)
        let arraySplit = RequestedBytesSplit(requested: payload + 72.002, outOfLine: payload + 72.002, layout: .structArray, shape: named)
        #expect(abs((arraySplit.outOfLineStorage ?? 0) - 72.002) < 1e-9 && abs(arraySplit.headers) < 1e-9 && arraySplit.object == 0)
        let unmeasured = RequestedBytesSplit(requested: 16 + payload, layout: .finalClass, shape: named)
        #expect(unmeasured.outOfLineStorage == nil && unmeasured.outOfLine == nil && unmeasured.headers == 16)
        // dict-class with a string: the probe cannot tell the dictionary from the string storage, so neither is
        // claimed to be dictionary storage; all its out-of-line bytes beyond the payload are one segment.
        let dictSplit = RequestedBytesSplit(requested: 24 + 400, outOfLine: 400, layout: .dictClass, shape: named)
        #expect(dictSplit.dictionaryStorage == nil && dictSplit.outOfLineStorage == 400 - payload && dictSplit.headers == 24)
    }
}
