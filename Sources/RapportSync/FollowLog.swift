import Logging
import RapportStore

/// The loop of a consumer of the log: once the schema is current, `start` (retried until it
/// succeeds), then, until cancelled, `wait` for something new and `catchUp`, logging a failed
/// pass as `"<what> failed"` and trying again a second later.
func followLog(
    _ what: String, store: Store, logger: Logger, clock: any Clock<Duration>, isolation: isolated (any Actor)? = #isolation,
    start: () async throws -> Void, wait: () async throws -> Void, catchUp: () async throws -> Void
) async throws {
    try await store.waitUntilSchemaIsCurrent(clock: clock)
    guard try await retryingStart(what, logger: logger, clock: clock, start) != nil else { return }
    // Cancellation (a graceful shutdown) ends the loop, never as an error.
    while !Task.isCancelled {
        do {
            try await wait()
            try await catchUp()
        } catch is CancellationError {
            return
        } catch {
            logger.error("\(what) failed", metadata: ["error": "\(String(reflecting: error))"])
            do { try await clock.sleep(for: .seconds(1)) } catch { return }
        }
    }
}
