import LayoutLabModel

/// `trend --fail-on-regression`: the newest folder is worse than the one before it beyond noise (exit 1).
struct TrendRegression: LabError {
    var text: String
    var message: String { text }
    var exitStatus: LabExitStatus { .failure }
}
