import Foundation

/// Latencies of one measurement, kept in milliseconds, with their nearest-rank percentiles: the
/// p-th percentile is the smallest latency that at least p of the sample is at or below. Every
/// benchmark that prints p50/p99/max goes through it.
struct LatencySample: Sendable {
    /// Ascending, in milliseconds.
    let sorted: [Double]

    init(milliseconds: some Sequence<Double>) {
        sorted = milliseconds.sorted()
    }

    init(microseconds: some Sequence<Int64>) {
        self.init(milliseconds: microseconds.map { Double($0) / 1_000 })
    }

    init(nanoseconds: some Sequence<UInt64>) {
        self.init(milliseconds: nanoseconds.map { Double($0) / 1e6 })
    }

    var count: Int { sorted.count }
    var isEmpty: Bool { sorted.isEmpty }

    /// The nearest-rank percentile for `fraction` (0.5 for p50), in milliseconds; 0 when empty.
    func percentile(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((Double(sorted.count) * fraction).rounded(.up))
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, rank - 1))]
    }

    var p50: Double { percentile(0.5) }
    var p99: Double { percentile(0.99) }
    var max: Double { sorted.last ?? 0 }

    /// "p50 1.23 ms, p99 4.56 ms, max 7.89 ms" with `decimals` digits (zeros when empty).
    func text(decimals: Int = 2) -> String {
        let format = "%.\(decimals)f"
        return "p50 \(String(format: format, p50)) ms, p99 \(String(format: format, p99)) ms, max \(String(format: format, max)) ms"
    }

    /// The three figures as cells of a Markdown table row, "–" for each when empty.
    var cells: String {
        isEmpty ? "– | – | –" : String(format: "%.2f ms | %.2f ms | %.2f ms", p50, p99, max)
    }
}
