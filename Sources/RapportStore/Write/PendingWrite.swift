import Synchronization

/// A write already in the writer's queue (`Store.send`): it took its place in the commit order
/// when it was sent, and its result is awaited later — so one caller can have several writes in
/// flight, committed in the order it sent them. One task awaits it.
public final class PendingWrite<T: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Result<T, any Error>, Never>?)
        case done(Result<T, any Error>)
    }

    private let state = Mutex(State.waiting(nil))

    init() {}

    /// The writer's answer: the work's result once its commit is durable, or its failure.
    func complete(_ result: Result<any Sendable, any Error>) {
        let typed = result.map { $0 as! T }
        let waiter = state.withLock { state -> CheckedContinuation<Result<T, any Error>, Never>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .done(typed)
            return waiter
        }
        waiter?.resume(returning: typed)
    }

    /// What the work returned, once its commit is durable.
    public func value() async throws -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
            let done = state.withLock { state -> Result<T, any Error>? in
                switch state {
                case .done(let result): return result
                case .waiting: state = .waiting(continuation); return nil
                }
            }
            if let done { continuation.resume(returning: done) }
        }
        return try result.get()
    }
}
