import LayoutLabModel

/// `compare --fail-above` did not pass: the verdict (and any warnings) as the closing message. A regression
/// beyond the bound is a failure (exit 1); rows it cannot decide, with none regressed, are bad input (exit 2:
/// more repetitions are needed).
struct ComparisonVerdict: LabError {
    var text: String
    var regressed: Bool

    var message: String { text }
    var exitStatus: LabExitStatus { regressed ? .failure : .badInput }
}
