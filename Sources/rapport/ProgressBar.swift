import Foundation

/// A progress line on standard error: a bar redrawn in place on a terminal, a line every few
/// seconds otherwise (logs, CI).
final class ProgressBar: @unchecked Sendable {
    // Used from one task at a time (the command's own), so plain state is safe.
    private let title: String
    private let total: Int
    private let interactive = isatty(STDERR_FILENO) == 1
    private let started = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now - .seconds(60)
    private var drewEnd = false

    init(_ title: String, total: Int) {
        self.title = title
        self.total = max(total, 1)
    }

    func update(_ done: Int) {
        let now = ContinuousClock.now
        guard now - lastDrawn >= (interactive ? .milliseconds(100) : .seconds(5)) || done >= total else { return }
        lastDrawn = now
        drewEnd = done >= total
        let fraction = min(Double(done) / Double(total), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\(title) [\(bar)] \(done)/\(total) \(Int(fraction * 100))% \(Self.seconds(now - started))"
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    func finish() {
        if !drewEnd { update(total) }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", duration / .seconds(1))
    }
}
