import Testing

/// How long a test waits for a fact at most: far beyond what the fact takes even when the whole
/// suite loads a two-core machine, so only a test that is really stuck reaches it.
public let factTimeout = Duration.seconds(30)

/// A fact a test waited for did not come to hold within its bound.
public struct FactDidNotHold: Error, CustomStringConvertible {
    public let fact: String
    public let timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for \(fact)" }
}

/// Waits for a fact, not for time (STYLE.md "Time in tests"): asks `probe` until it returns a
/// value and returns that value. Between questions it pauses briefly (5 ms, growing to 50 ms), so
/// a fact that holds soon is seen at once and a slow one costs the machine little. When `timeout`
/// passes first it records an issue at the caller naming `fact` (evaluated then, so it may show
/// the state it found) and throws `FactDidNotHold`.
///
/// The one polling loop of the test targets: tests wait for a consumer's saved position, an event
/// with a known id, a row's state or a receiver's calls through it.
///
/// Where `T` can be written as `nil` itself (`JSONValue` is `ExpressibleByNilLiteral`), write the
/// result's type out and answer "not yet" with `guard … else { return nil }`: in
/// `condition ? value : nil` the `nil` can become a JSON null, a value, and the wait ends at once.
@discardableResult
public func eventually<T>(
    _ fact: @autoclosure () -> String, timeout: Duration = factTimeout,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var pause = Duration.milliseconds(5)
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: pause)
        pause = min(pause * 2, .milliseconds(50))
    }
    let failure = FactDidNotHold(fact: fact(), timeout: timeout)
    Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
    throw failure
}

/// `eventually` for a condition: returns once `condition` holds.
public func waitUntil(
    _ fact: @autoclosure () -> String, timeout: Duration = factTimeout,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    try await eventually(fact(), timeout: timeout, sourceLocation: sourceLocation) { try await condition() ? true : nil }
}
