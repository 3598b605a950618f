import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of batch matching on every core and returns their results in order,
/// so that results never depend on how the pieces were scheduled.
enum ParallelWork {
    /// The number of pieces worth splitting work into: a few per core, for balance.
    static var pieceCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) * 4 }

    static func map<Result: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> Result) -> [Result] {
        guard count > 1 else { return (0..<count).map(transform) }
        let results = Results<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { piece in
            results.store(transform(piece), at: piece)
        }
        return results.collected()
    }

    private final class Results<Result: Sendable>: Sendable {
        private let slots: Mutex<[Result?]>

        init(count: Int) {
            slots = Mutex(Array(repeating: nil, count: count))
        }

        func store(_ result: Result, at position: Int) {
            slots.withLock { $0[position] = result }
        }

        func collected() -> [Result] {
            slots.withLock { $0.compactMap { $0 } }
        }
    }
}
