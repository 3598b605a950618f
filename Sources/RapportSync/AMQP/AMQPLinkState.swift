import RapportCore

/// How one of the server's links to the message broker stands, for `/health/ready` and `/metrics`.
public struct AMQPLinkState: Sendable, Equatable {
    /// True while the link has an open connection and channel.
    public var connected = false
    /// When the current connection opened, or the last one closed.
    public var since: Timestamp?
    /// Why the link last went down or failed to come up.
    public var lastError: String?
    /// Messages the broker confirmed (published) or the link applied (consumed) since the server started.
    public var messages = 0
    /// Connections opened since the server started (more than one: it reconnected).
    public var connections = 0
    /// True while another node of the cluster does this link's work (it holds the lease).
    public var standby = false

    public init() {}

    /// `connected`, or `disconnected` with the reason when one is known.
    public var summary: String {
        if connected { return "connected" }
        if standby { return "standby: another node publishes" }
        return lastError.map { "disconnected: \($0)" } ?? "disconnected"
    }
}
