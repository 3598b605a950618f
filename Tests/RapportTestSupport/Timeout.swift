/// Thrown by `withTimeout` when the bound passed first.
public struct TimedOut: Error {}

/// Runs `body`, failing with `TimedOut` after `timeout`: a broken client must fail a test, not hang
/// it. (Its sleep is the bound, not synchronisation: `body` returning ends it.) The one place in the
/// tests that sleeps for a bound, beside `eventually`'s pauses between looks.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut()
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// `withTimeout` in seconds.
public func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withTimeout(.milliseconds(Int(seconds * 1000)), body)
}
