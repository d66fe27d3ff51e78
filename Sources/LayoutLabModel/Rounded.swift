/// How the lab writes a number for people (tables, reports, charts' labels): rounded to `digits` decimals,
/// "–" for a missing or non-finite value. CSV cells use `CSVNumber` instead (fixed three decimals).
public enum Rounded {
    public static func text(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        // A small negative that rounds to zero (RSS a few KiB under its baseline) prints as 0.0, not -0.0.
        return String(rounded == 0 ? 0 : rounded)
    }
}
