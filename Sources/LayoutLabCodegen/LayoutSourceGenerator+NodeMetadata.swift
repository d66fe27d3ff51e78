import LayoutLabModel
import LayoutLabProtocol

extension ShapeSource {
    /// The node class of `layout` (the class whose instances are the nodes' own objects), nil for value layouts.
    func nodeClass(_ layout: LayoutKind) -> String? {
        switch layout {
        case .finalClass: "S\(index)FinalNode"
        case .openClass: "S\(index)ClassNode"
        case .dictClass: "S\(index)DictNode"
        default: nil
        }
    }

    /// The node-metadata entry point of `layout` (`GeneratedCodeABI.NodeMetadataEntry`): the metadata pointer of
    /// its node class, which is what `swift_allocObject` receives for each node's own object, so the probe can tell
    /// that object from the node's out-of-line storage; nil for value layouts, whose nodes have no object.
    func nodeMetadataEntryPoint(for layout: LayoutKind) -> String {
        guard !layout.isPython else { return "" }
        let symbol = GeneratedCodeABI.nodeMetadataSymbol(allocateSymbol: LayoutSourceGenerator.entrySymbol(shapeIndex: index, layout: layout))
        let signature = GeneratedCodeABI.nodeMetadataSignature
        let body = nodeClass(layout).map { "unsafeBitCast(\($0).self as AnyClass, to: UnsafeRawPointer.self)" } ?? "nil"
        return """
            @_cdecl("\(symbol)")
            public func \(symbol)(\(signature.parameterList))\(signature.resultClause) {
                \(body)
            }

            """
    }
}
