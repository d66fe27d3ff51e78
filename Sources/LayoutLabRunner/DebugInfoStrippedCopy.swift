import Foundation
import LayoutLabHost
import LayoutLabModel

/// A copy of an executable without its DWARF sections, for valgrind: valgrind 3.19's debug-info reader gives
/// up on the DWARF 5 that swiftc writes, in debug and release builds alike ("unhandled dwarf2 abbrev form
/// code 0x25", "Possibly corrupted debuginfo file"), while callgrind needs only the symbol table, which
/// `objcopy --strip-debug` (binutils) keeps. Used by every callgrind run of the lab's Swift programs: the
/// runner's instrumented trials (`CallgrindPhaseCounter`) and calibrate's harness counts.
package enum DebugInfoStrippedCopy {
    /// Writes the copy of `executable` into `folder` (created if needed) under the executable's own name and
    /// returns its path; the caller removes it with the folder.
    package static func make(of executable: String, in folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent(URL(fileURLWithPath: executable).lastPathComponent)
        let copied = ExternalCommand.run(["objcopy", "--strip-debug", executable, copy.path], mergeStandardError: true)
        guard copied?.status == 0 else {
            throw HostError.objcopyFailed(executable: executable, output: copied?.text)
        }
        return copy.path
    }
}
