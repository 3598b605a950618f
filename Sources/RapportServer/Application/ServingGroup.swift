import Hummingbird
import Logging
import ServiceLifecycle

/// The service group `rapport serve` runs: the application, then what must stop before the
/// application does. A group shuts its services down in reverse, each once the one after it has
/// returned, so on graceful shutdown the event sockets are ended (each subscription told where to
/// resume, then 1001) before the HTTP server closes connections. With `onSignals` SIGTERM and
/// SIGINT begin that shutdown; a test triggers it on the group instead.
public func servingGroup(app: some ApplicationProtocol, openEventSockets: OpenEventSockets, onSignals: Bool,
                         logger: Logger) -> ServiceGroup {
    ServiceGroup(services: [app, openEventSockets], gracefulShutdownSignals: onSignals ? [.sigterm, .sigint] : [],
                 cancellationSignals: [], logger: logger)
}
