/// The connection-level protocol (channel 0) as a pure state machine: each event returns what the caller must do.
///
/// The caller owns the socket: it sends frames, closes the socket, runs the heartbeat timer and forwards
/// channel frames. Keeping I/O out makes every handshake and closing path testable without a broker.
struct ConnectionStateMachine: Sendable {
    /// What the client asks for; the broker's tune answer may lower it.
    struct Settings: Sendable {
        var username: String
        var password: String
        var virtualHost: String
        /// 0 = as many as the broker allows.
        var channelMax: UInt16
        /// 0 = no limit from our side.
        var frameMax: UInt32
        /// Seconds; 0 = ask for no heartbeats (the broker's value wins if it wants them).
        var heartbeat: UInt16
        var connectionName: String?

        init(username: String, password: String, virtualHost: String, channelMax: UInt16 = 0, frameMax: UInt32 = 131_072, heartbeat: UInt16 = 60, connectionName: String? = nil) {
            self.username = username
            self.password = password
            self.virtualHost = virtualHost
            self.channelMax = channelMax
            self.frameMax = frameMax
            self.heartbeat = heartbeat
            self.connectionName = connectionName
        }
    }

    typealias Negotiated = AMQPNegotiatedSettings

    /// What the caller must do next.
    enum Action: Sendable, Equatable {
        case none
        case sendProtocolHeader
        case send([AMQPFrame])
        /// The handshake finished; start heartbeat ticks every `heartbeat / 2` seconds when it is not 0.
        case connected(Negotiated, serverProperties: AMQPFieldTable)
        /// Close the socket; nil means a clean close the client asked for.
        case closeSocket(AMQPError?)
        /// Send the frames (a close-ok), then close the socket reporting the error.
        case sendAndCloseSocket([AMQPFrame], AMQPError)
        /// The socket is gone: fail every channel and pending operation with this reason (nil = clean).
        case reportClosed(AMQPError?)
        /// A frame for channel `frame.channel` (> 0): hand it to that channel.
        case forward(AMQPFrame)
        case blocked(reason: String)
        case unblocked
    }

    enum State: Sendable {
        case initial
        case awaitingStart
        case awaitingTune
        case awaitingOpenOk(Negotiated)
        case open(Negotiated)
        /// We sent connection.close (or decided to close); `reason` is what to report when the socket is gone.
        case closing(reason: AMQPError?)
        case closed(reason: AMQPError?)
    }

    private(set) var state: State = .initial
    private let settings: Settings
    /// Heartbeat ticks (half intervals) since the last frame from the broker.
    private var ticksWithoutTraffic = 0
    private var serverProperties: AMQPFieldTable = [:]

    init(settings: Settings) {
        self.settings = settings
    }

    /// The socket connected: open with the protocol header.
    mutating func connected() -> Action {
        guard case .initial = state else { return .none }
        state = .awaitingStart
        return .sendProtocolHeader
    }

    /// A frame arrived from the broker.
    mutating func received(_ frame: AMQPFrame) -> Action {
        ticksWithoutTraffic = 0
        switch frame {
        case .heartbeat:
            return .none
        case .method(0, let method):
            return receivedConnectionMethod(method)
        case .method, .header, .body:
            if frame.channel == 0 { return protocolViolation("content frame on channel 0") }
            switch state {
            case .open: return .forward(frame)
            // After we sent connection.close the spec says to discard everything but close/close-ok.
            case .closing, .closed: return .none
            default: return protocolViolation("channel frame before the connection is open")
            }
        }
    }

    private mutating func receivedConnectionMethod(_ method: AMQPMethod) -> Action {
        switch (state, method) {
        case (.awaitingStart, .connectionStart(let start)):
            guard start.versionMajor == 0, start.versionMinor == 9 else {
                return fail(AMQPError(.protocolError, "broker speaks AMQP \(start.versionMajor)-\(start.versionMinor), not 0-9-1"))
            }
            guard start.mechanisms.split(separator: " ").contains("PLAIN") else {
                return fail(AMQPError(.authenticationFailed, "broker does not offer the PLAIN mechanism (offers \(start.mechanisms))"))
            }
            serverProperties = start.serverProperties
            state = .awaitingTune
            let startOk = AMQPMethod.ConnectionStartOk(
                clientProperties: Self.clientProperties(connectionName: settings.connectionName),
                mechanism: "PLAIN",
                response: Self.plainResponse(username: settings.username, password: settings.password),
                locale: "en_US")
            return .send([.method(channel: 0, .connectionStartOk(startOk))])

        case (.awaitingTune, .connectionTune(let tune)):
            let negotiated = Self.negotiate(client: settings, server: tune)
            state = .awaitingOpenOk(negotiated)
            return .send([
                .method(channel: 0, .connectionTuneOk(.init(channelMax: negotiated.channelMax, frameMax: negotiated.frameMax, heartbeat: negotiated.heartbeat))),
                .method(channel: 0, .connectionOpen(virtualHost: settings.virtualHost)),
            ])

        case (.awaitingOpenOk(let negotiated), .connectionOpenOk):
            state = .open(negotiated)
            return .connected(negotiated, serverProperties: serverProperties)

        case (.open, .connectionBlocked(let reason)):
            return .blocked(reason: reason)
        case (.open, .connectionUnblocked):
            return .unblocked

        case (.closing(let reason), .connectionCloseOk):
            state = .closing(reason: reason)
            return .closeSocket(reason)
        case (.closing(let reason), .connectionClose):
            // Both sides closed at once: answer and go with the reason we already had.
            return .sendAndCloseSocket([.method(channel: 0, .connectionCloseOk)], reason ?? AMQPError(.connectionClosed, "connection closed"))
        case (.closed, _):
            return .none

        case (_, .connectionClose(let close)):
            let error = Self.error(for: close, duringHandshake: isHandshaking)
            state = .closing(reason: error)
            return .sendAndCloseSocket([.method(channel: 0, .connectionCloseOk)], error)

        case (.closing, _):
            return .none
        default:
            return protocolViolation("unexpected connection method \(method.id.classID).\(method.id.methodID)")
        }
    }

    /// The user asked to close: send connection.close and wait for close-ok.
    mutating func closeRequested() -> Action {
        switch state {
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk:
            state = .closing(reason: AMQPError(.connectionClosed, "connection closed before the handshake finished"))
            return .closeSocket(AMQPError(.connectionClosed, "connection closed before the handshake finished"))
        case .open:
            state = .closing(reason: nil)
            return .send([.method(channel: 0, .connectionClose(.init(replyCode: 200, replyText: "Goodbye")))])
        case .closing, .closed:
            return .none
        }
    }

    /// The heartbeat timer fired (every `heartbeat / 2` seconds): send a heartbeat, or give up on a silent broker.
    mutating func heartbeatTick() -> Action {
        guard case .open = state else { return .none }
        ticksWithoutTraffic += 1
        // Two missed heartbeat intervals = four half-interval ticks with nothing received.
        if ticksWithoutTraffic >= 4 {
            let error = AMQPError(.heartbeatTimeout, "no frame from the broker for two heartbeat intervals")
            state = .closing(reason: error)
            return .closeSocket(error)
        }
        return .send([.heartbeat])
    }

    /// Decoding or the socket failed.
    mutating func errorCaught(_ error: any Error) -> Action {
        switch state {
        case .closed: return .none
        // Already closing: keep the reason we had (a TLS unclean shutdown after close-ok is not a failure).
        case .closing(let reason): return .closeSocket(reason)
        default:
            let amqpError = error as? AMQPError ?? AMQPError(.ioError, "\(error)")
            state = .closing(reason: amqpError)
            return .closeSocket(amqpError)
        }
    }

    /// The socket closed, for whatever reason.
    mutating func socketClosed() -> Action {
        let reason: AMQPError?
        switch state {
        case .closed: return .none
        case .closing(let closingReason): reason = closingReason
        case .awaitingTune:
            // Without authentication_failure_close a broker just drops the socket after a bad start-ok.
            reason = AMQPError(.authenticationFailed, "broker closed the connection during authentication; check the user name and password")
        case .initial, .awaitingStart, .awaitingOpenOk:
            reason = AMQPError(.connectionClosed, "broker closed the connection during the handshake")
        case .open:
            reason = AMQPError(.connectionClosed, "connection lost")
        }
        state = .closed(reason: reason)
        return .reportClosed(reason)
    }

    /// Whether the handshake has finished and the connection is not closing.
    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    private var isHandshaking: Bool {
        switch state {
        case .awaitingStart, .awaitingTune, .awaitingOpenOk: true
        default: false
        }
    }

    private mutating func fail(_ error: AMQPError) -> Action {
        state = .closing(reason: error)
        return .closeSocket(error)
    }

    private mutating func protocolViolation(_ text: String) -> Action {
        let error = AMQPError(.unexpectedMethod, text)
        guard case .open = state else { return fail(error) }
        // 505 UNEXPECTED_FRAME: tell the broker why before we go.
        state = .closing(reason: error)
        return .send([.method(channel: 0, .connectionClose(.init(replyCode: 505, replyText: "UNEXPECTED_FRAME - \(text)")))])
    }

    static func error(for close: AMQPMethod.CloseReason, duringHandshake: Bool) -> AMQPError {
        // 403 ACCESS_REFUSED during the handshake is a refused login (or a vhost the user may not use).
        let code: AMQPError.Code = duringHandshake && close.replyCode == 403 ? .authenticationFailed : .connectionClosed
        let method = close.classID == 0 ? nil : (classID: close.classID, methodID: close.methodID)
        return AMQPError(code, replyCode: close.replyCode, close.replyText, failingMethod: method)
    }

    /// PLAIN SASL response (RFC 4616): empty authorization id, NUL, user, NUL, password.
    static func plainResponse(username: String, password: String) -> [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }

    static func negotiate(client: Settings, server: AMQPMethod.Tune) -> Negotiated {
        // 0 means "no limit" for channel-max and frame-max, so the smaller non-zero value wins.
        func smallerNonZero<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
            if a == 0 { return b }
            if b == 0 { return a }
            return min(a, b)
        }
        let channelMax = smallerNonZero(client.channelMax, server.channelMax)
        // For heartbeats 0 means "off": both must be non-zero to take the smaller one, else the larger wins
        // (the rule RabbitMQ documents and its clients follow).
        let heartbeat = client.heartbeat == 0 || server.heartbeat == 0 ? max(client.heartbeat, server.heartbeat) : min(client.heartbeat, server.heartbeat)
        return Negotiated(
            channelMax: channelMax == 0 ? .max : channelMax,
            frameMax: smallerNonZero(client.frameMax, server.frameMax),
            heartbeat: heartbeat)
    }

    static func clientProperties(connectionName: String?) -> AMQPFieldTable {
        var properties: AMQPFieldTable = [
            "product": "RapportAMQP",
            "platform": "Swift",
            "version": "1.0.0",
            "capabilities": .table([
                "publisher_confirms": true,
                "consumer_cancel_notify": true,
                "connection.blocked": true,
                "basic.nack": true,
                "authentication_failure_close": true,
                "exchange_exchange_bindings": true,
                "per_consumer_qos": true,
            ]),
        ]
        if let connectionName { properties["connection_name"] = .string(connectionName) }
        return properties
    }
}
