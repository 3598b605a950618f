import ServiceLifecycle

/// Runs a background service's `body` until it returns or graceful shutdown cancels it.
///
/// Being cancelled is how such a service ends, never its failure: a shutdown that comes while the
/// service still waits to begin (for the schema to be current, say) ends it as quietly as one that
/// comes later. A service that threw `CancellationError` into its service group would make the whole
/// server's shutdown fail (and `rapport serve` exit with an error) for a SIGTERM just after start.
public func untilGracefulShutdown(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(body)
    } catch is CancellationError where Task.isCancelled || Task.isShuttingDownGracefully {
        return
    }
}
