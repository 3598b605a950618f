import Logging

/// Runs a log consumer's `start` until it succeeds, a second apart, logging each failure as
/// `"<what> could not start"`: a database briefly out of reach (a restart, no free connection)
/// delays the consumer and never ends the server. Nil when the task is cancelled.
func retryingStart<T: Sendable>(
    _ what: String, logger: Logger, clock: any Clock<Duration>, isolation: isolated (any Actor)? = #isolation, _ start: () async throws -> T
) async throws -> T? {
    while !Task.isCancelled {
        do {
            return try await start()
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("\(what) could not start", metadata: ["error": "\(String(reflecting: error))"])
            try await clock.sleep(for: .seconds(1))
        }
    }
    return nil
}
