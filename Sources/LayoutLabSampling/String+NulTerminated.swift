extension String {
    /// The UTF-8 text of a C buffer up to its first NUL (or the whole buffer if it has none).
    package init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
