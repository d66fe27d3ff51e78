import LayoutLabModel
import LayoutLabProtocol

/// Sweep families: one implementation per layout with the swept length a run-time argument, and for each
/// member tiny `@_cdecl` wrappers that pass the member's length, so 512 members cost 512 one-line functions
/// rather than 512 copies of the layout code.
extension ShapeSource {
    /// The family's record layout for a swept length: `MemoryLayout` of its record, or with swept bytes the
    /// record head followed by sweptLength bytes, padded to the alignment, as the struct-array storage places them.
    func familyRecordLayout() -> String {
        let record = "\(prefix)Record"
        let body = tailBytes
            ? """
                let size = MemoryLayout<\(record)>.size &+ sweptLength
                out[0] = size
                out[1] = layoutlabStride(size, MemoryLayout<\(record)>.alignment)
                out[2] = MemoryLayout<\(record)>.alignment

            """
            : """
                _ = sweptLength
                out[0] = MemoryLayout<\(record)>.size
                out[1] = MemoryLayout<\(record)>.stride
                out[2] = MemoryLayout<\(record)>.alignment

            """
        return "@inline(never)\nfunc \(prefix)RecordLayout(_ sweptLength: Int, \(GeneratedCodeABI.recordLayoutSignature.parameterList)) {\n\(body)}\n"
    }

    /// Member `shapeIndex`'s entry points (record layout, variable lengths, each layout's allocate and phase),
    /// each calling the family's implementation with the member's swept length, and type aliases that give
    /// the member's records and node classes its own names (`S<index>FinalNode`).
    func memberWrappers(shapeIndex: Int, layouts: [LayoutKind]) -> String {
        let length = shape.sweep?.length ?? 0
        let member = "S\(shapeIndex)"
        var text = "\n// member \(shapeIndex) \"\(shape.name)\": family \(index) with sweptLength \(length)\n"
        var aliases = ["Record"]
        if layouts.contains(.finalClass) { aliases.append("FinalNode") }
        if layouts.contains(.openClass) { aliases.append("ClassNode") }
        if layouts.contains(.dictClass) { aliases.append("DictNode") }
        text += aliases.map { "typealias \(member)\($0) = \(prefix)\($0)\n" }.joined()
        let record = LayoutSourceGenerator.recordLayoutSymbol(shapeIndex: shapeIndex)
        text += "@_cdecl(\"\(record)\")\npublic func \(record)(\(GeneratedCodeABI.recordLayoutSignature.parameterList)) { \(prefix)RecordLayout(\(length), out) }\n"
        text += lengthEntryPoints(shapeIndex: shapeIndex)
        for layout in layouts where !layout.isPython {
            let symbol = LayoutSourceGenerator.entrySymbol(shapeIndex: shapeIndex, layout: layout)
            let family = functionName(layout)
            text += wrapper(symbol, calling: family, GeneratedCodeABI.allocateSignature, length: length)
            text += wrapper(GeneratedCodeABI.phaseSymbol(allocateSymbol: symbol), calling: GeneratedCodeABI.phaseSymbol(allocateSymbol: family),
                            GeneratedCodeABI.phaseSignature, length: length)
            text += threadedMemberWrappers(symbol: symbol, family: family, length: length)
        }
        return text
    }

    private func wrapper(_ symbol: String, calling family: String, _ signature: GeneratedCodeABI.Signature, length: Int) -> String {
        let arguments = signature.parameters.map(\.name).joined(separator: ", ")
        return "@_cdecl(\"\(symbol)\")\npublic func \(symbol)(\(signature.parameterList))\(signature.resultClause) { \(family)(\(length), \(arguments)) }\n"
    }
}
