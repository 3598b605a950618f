/// An error from the AMQP client; `code` says what kind, the other fields add detail that is safe to log.
public struct AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; new codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, frameError, protocolError, unexpectedMethod, authenticationFailed,
                 connectionClosed, channelClosed, heartbeatTimeout, connectionTimeout, ioError, consumerCancelled,
                 channelLimitReached, publishNacked, notInConfirmMode
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value or URL part is invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Bytes on the wire did not form a valid frame.
        public static let frameError = Code(.frameError)
        /// The peer broke the protocol (wrong version, bad sequence).
        public static let protocolError = Code(.protocolError)
        /// A method arrived that the current state does not expect.
        public static let unexpectedMethod = Code(.unexpectedMethod)
        /// The broker refused the credentials.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The connection is closed; `replyCode`/`replyText` say why when the broker closed it.
        public static let connectionClosed = Code(.connectionClosed)
        /// The channel is closed; `replyCode`/`replyText` say why when the broker closed it.
        public static let channelClosed = Code(.channelClosed)
        /// The broker sent nothing for two heartbeat intervals.
        public static let heartbeatTimeout = Code(.heartbeatTimeout)
        /// Connecting or the handshake took longer than the configured timeout.
        public static let connectionTimeout = Code(.connectionTimeout)
        /// The socket failed.
        public static let ioError = Code(.ioError)
        /// The broker cancelled the consumer (for example because its queue was deleted).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// Every channel number up to channel-max is in use.
        public static let channelLimitReached = Code(.channelLimitReached)
        /// The broker nacked one or more publishes that `waitForConfirms` covered.
        public static let publishNacked = Code(.publishNacked)
        /// Confirms were awaited on a channel where `confirmSelect()` was not called.
        public static let notInConfirmMode = Code(.notInConfirmMode)

        public var description: String { base.rawValue }
    }

    /// The kind of error.
    public var code: Code
    /// The AMQP reply code when the broker closed the connection or channel (e.g. 404, 403, 406).
    public var replyCode: UInt16?
    /// The broker's reply text or a short detail; never holds a password.
    public var message: String
    /// The class and method ids that failed, when the broker named them.
    public var failingMethod: (classID: UInt16, methodID: UInt16)?

    /// An error of kind `code`; `message` must not contain secrets.
    public init(_ code: Code, replyCode: UInt16? = nil, _ message: String, failingMethod: (classID: UInt16, methodID: UInt16)? = nil) {
        self.code = code
        self.replyCode = replyCode
        self.message = message
        self.failingMethod = failingMethod
    }

    public static func == (lhs: AMQPError, rhs: AMQPError) -> Bool {
        lhs.code == rhs.code && lhs.replyCode == rhs.replyCode && lhs.message == rhs.message
            && lhs.failingMethod?.classID == rhs.failingMethod?.classID && lhs.failingMethod?.methodID == rhs.failingMethod?.methodID
    }

    public var description: String {
        var text = "AMQPError(\(code)"
        if let replyCode { text += ", \(replyCode)" }
        text += ": \(message)"
        if let failingMethod { text += ", method \(failingMethod.classID).\(failingMethod.methodID)" }
        return text + ")"
    }
}
