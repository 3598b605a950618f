import NIOCore

/// The basic-class content properties of a message (spec 1.8.2); `nil` fields are absent on the wire.
public struct AMQPBasicProperties: Sendable, Hashable {
    /// MIME type of the body, e.g. "application/cloudevents+json".
    public var contentType: String?
    /// Encoding applied to the body, e.g. "gzip".
    public var contentEncoding: String?
    /// Application headers; also where the broker adds `x-death` when dead-lettering.
    public var headers: AMQPFieldTable?
    /// 1 = transient, 2 = persistent.
    public var deliveryMode: UInt8?
    /// 0-9 on priority queues.
    public var priority: UInt8?
    /// Ties a reply to its request.
    public var correlationID: String?
    /// Queue the reply should go to.
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a decimal string (the protocol says so).
    public var expiration: String?
    /// Application message id; Rapport uses the event id so consumers can deduplicate.
    public var messageID: String?
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64?
    /// Application message type, e.g. "rapport.customer.updated".
    public var type: String?
    /// Must match the connection's user if set; the broker checks it.
    public var userID: String?
    /// Publishing application.
    public var appID: String?

    /// Properties with only the given fields present.
    public init(
        contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPFieldTable? = nil,
        deliveryMode: UInt8? = nil, priority: UInt8? = nil, correlationID: String? = nil, replyTo: String? = nil,
        expiration: String? = nil, messageID: String? = nil, timestamp: UInt64? = nil, type: String? = nil,
        userID: String? = nil, appID: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
    }

    /// Persistent delivery mode: the message survives a broker restart in a durable queue.
    public static let persistent = AMQPBasicProperties(deliveryMode: 2)
}

// Property flags: bit 15 is the first property; bit 0 would announce a continuation word, which basic never needs.
private enum Flag {
    static let contentType: UInt16 = 1 << 15
    static let contentEncoding: UInt16 = 1 << 14
    static let headers: UInt16 = 1 << 13
    static let deliveryMode: UInt16 = 1 << 12
    static let priority: UInt16 = 1 << 11
    static let correlationID: UInt16 = 1 << 10
    static let replyTo: UInt16 = 1 << 9
    static let expiration: UInt16 = 1 << 8
    static let messageID: UInt16 = 1 << 7
    static let timestamp: UInt16 = 1 << 6
    static let type: UInt16 = 1 << 5
    static let userID: UInt16 = 1 << 4
    static let appID: UInt16 = 1 << 3
    // bit 2 is the deprecated cluster-id: read and dropped.
    static let clusterID: UInt16 = 1 << 2
}

extension ByteBuffer {
    mutating func writeBasicProperties(_ p: AMQPBasicProperties) throws {
        var flags: UInt16 = 0
        if p.contentType != nil { flags |= Flag.contentType }
        if p.contentEncoding != nil { flags |= Flag.contentEncoding }
        if p.headers != nil { flags |= Flag.headers }
        if p.deliveryMode != nil { flags |= Flag.deliveryMode }
        if p.priority != nil { flags |= Flag.priority }
        if p.correlationID != nil { flags |= Flag.correlationID }
        if p.replyTo != nil { flags |= Flag.replyTo }
        if p.expiration != nil { flags |= Flag.expiration }
        if p.messageID != nil { flags |= Flag.messageID }
        if p.timestamp != nil { flags |= Flag.timestamp }
        if p.type != nil { flags |= Flag.type }
        if p.userID != nil { flags |= Flag.userID }
        if p.appID != nil { flags |= Flag.appID }
        writeInteger(flags)
        if let v = p.contentType { try writeShortString(v) }
        if let v = p.contentEncoding { try writeShortString(v) }
        if let v = p.headers { try writeFieldTable(v) }
        if let v = p.deliveryMode { writeInteger(v) }
        if let v = p.priority { writeInteger(v) }
        if let v = p.correlationID { try writeShortString(v) }
        if let v = p.replyTo { try writeShortString(v) }
        if let v = p.expiration { try writeShortString(v) }
        if let v = p.messageID { try writeShortString(v) }
        if let v = p.timestamp { writeInteger(v) }
        if let v = p.type { try writeShortString(v) }
        if let v = p.userID { try writeShortString(v) }
        if let v = p.appID { try writeShortString(v) }
    }

    mutating func readBasicProperties() throws -> AMQPBasicProperties {
        let flags = try readAMQPInteger(as: UInt16.self)
        guard flags & 1 == 0 else { throw AMQPError(.frameError, "property flag continuation is not used by basic") }
        var p = AMQPBasicProperties()
        if flags & Flag.contentType != 0 { p.contentType = try readShortString() }
        if flags & Flag.contentEncoding != 0 { p.contentEncoding = try readShortString() }
        if flags & Flag.headers != 0 { p.headers = try readFieldTable() }
        if flags & Flag.deliveryMode != 0 { p.deliveryMode = try readAMQPInteger() }
        if flags & Flag.priority != 0 { p.priority = try readAMQPInteger() }
        if flags & Flag.correlationID != 0 { p.correlationID = try readShortString() }
        if flags & Flag.replyTo != 0 { p.replyTo = try readShortString() }
        if flags & Flag.expiration != 0 { p.expiration = try readShortString() }
        if flags & Flag.messageID != 0 { p.messageID = try readShortString() }
        if flags & Flag.timestamp != 0 { p.timestamp = try readAMQPInteger() }
        if flags & Flag.type != 0 { p.type = try readShortString() }
        if flags & Flag.userID != 0 { p.userID = try readShortString() }
        if flags & Flag.appID != 0 { p.appID = try readShortString() }
        if flags & Flag.clusterID != 0 { _ = try readShortString() }
        return p
    }
}
