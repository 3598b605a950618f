/// Where a field value came from and when, which decides between concurrent writes.
///
/// Ordered by (timestamp, source priority, source id): the newest write wins; at the same instant
/// the more trusted source; and the source id makes the order total, so every replica picks the
/// same value whatever order the writes arrive in.
public struct FieldVersion: Sendable, Hashable, Comparable {
    public var timestamp: HybridTimestamp
    /// Higher wins a tie of timestamps (e.g. the CRM's own UI over an import).
    public var sourcePriority: Int
    /// The writer: a channel id, a node id or an API key id.
    public var sourceID: String

    public init(timestamp: HybridTimestamp, sourcePriority: Int = 0, sourceID: String) {
        self.timestamp = timestamp
        self.sourcePriority = sourcePriority
        self.sourceID = sourceID
    }

    public static func < (lhs: FieldVersion, rhs: FieldVersion) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        if lhs.sourcePriority != rhs.sourcePriority { return lhs.sourcePriority < rhs.sourcePriority }
        return lhs.sourceID < rhs.sourceID
    }
}

/// Who wrote a value, for `include=provenance`.
public struct Provenance: Sendable, Hashable {
    public var version: FieldVersion
    public var channelID: String?
    public var actorID: String?

    public init(version: FieldVersion, channelID: String? = nil, actorID: String? = nil) {
        self.version = version
        self.channelID = channelID
        self.actorID = actorID
    }
}
