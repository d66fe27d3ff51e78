import Foundation
import LayoutLabModel

extension PythonInterpreter {
    /// The Python worker script that ships with the lab.
    public static var workerScript: URL? { Bundle.module.url(forResource: "python_worker", withExtension: "py") }
}
