/// The limits the client and broker agreed on in connection.tune / tune-ok.
public struct AMQPNegotiatedSettings: Sendable, Equatable {
    /// Highest channel number that may be opened.
    public var channelMax: UInt16
    /// Largest frame in bytes; 0 = no limit.
    public var frameMax: UInt32
    /// Heartbeat interval in seconds; 0 = heartbeats off.
    public var heartbeat: UInt16

    public init(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }
}
