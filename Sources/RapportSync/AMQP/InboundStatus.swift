/// What an `InboundConsumer` is doing and has done since it started, for health checks and metrics.
public struct InboundStatus: Sendable, Equatable {
    /// The broker connection as the consumer last saw it.
    public enum Connection: Sendable, Equatable {
        /// Not connected yet (or connecting again right after a failure).
        case connecting
        /// Consuming.
        case connected
        /// The last connection ended or could not be opened; a new attempt follows after a backoff.
        case disconnected(reason: String)
    }

    public var connection: Connection = .connecting
    /// Successful connections so far (more than one means it reconnected).
    public var connections = 0
    /// Messages whose change was committed for the first time.
    public var applied = 0
    /// Messages whose id was already applied (a broker redelivery or a publisher retry): acked without a second write.
    public var replayed = 0
    /// Messages moved to the dead-letter queue with a reason.
    public var deadLettered = 0
    /// Deliveries given back to the queue because the store was unavailable.
    public var requeued = 0

    public init() {}

    public var isConnected: Bool { connection == .connected }
}
