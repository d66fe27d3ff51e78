/// Where this host has valgrind (`"instructions": "valgrind"` needs it).
package enum Valgrind {
    /// `valgrind` on `PATH`, or nil.
    package static func path() -> String? { ExternalCommand.locate("valgrind") }
}
