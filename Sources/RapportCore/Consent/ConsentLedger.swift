/// Why a message is sent to a customer: consent is asked per purpose.
public enum MessagePurpose: String, Sendable, CaseIterable {
    /// About what the customer asked for or has with the company (an answer, a decision, a bill).
    case service
    /// Offers and news.
    case marketing
    /// Surveys and studies.
    case research

    /// Marketing and research are sent only to customers who said yes (opt-in); service messages
    /// go unless the customer said no.
    public var needsGrant: Bool { self != .service }
}

/// What a customer said about being contacted: their consent records (the marketing template's
/// `consent` type — channel, purpose, status, given_at), read as one answer per channel and
/// purpose, the one given last winning. Pure: the store reads the records, this decides.
public struct ConsentLedger: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var recordID: String
        /// `email`, `sms`, `phone`, `post` or `push`.
        public var channel: String
        public var purpose: String
        public var granted: Bool
        public var givenAt: Timestamp

        public init(recordID: String, channel: String, purpose: String, granted: Bool, givenAt: Timestamp) {
            self.recordID = recordID
            self.channel = channel
            self.purpose = purpose
            self.granted = granted
            self.givenAt = givenAt
        }

        /// A consent record's fields; nil when they are not a consent (a field missing or of another kind).
        public init?(recordID: String, fields: JSONObject) {
            guard let channel = fields["channel"]?.stringValue, let purpose = fields["purpose"]?.stringValue,
                  let status = fields["status"]?.stringValue, ["granted", "withdrawn"].contains(status),
                  let given = fields["given_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
            self.init(recordID: recordID, channel: channel, purpose: purpose, granted: status == "granted", givenAt: given)
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Not sent, and why (naming the consent record that says no, if one does).
        case refused(String)
    }

    public let entries: [Entry]

    /// The record type consent is kept in (the marketing template's).
    public static let recordType = "consent"

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The consent channel a channel of Rapport's kind reaches a customer on; nil for channels where
    /// consent is not recorded (a web page, a chat, a social network, an API, a store).
    public static func consentChannel(of kind: ChannelKind) -> String? {
        switch kind {
        case .email: "email"
        case .sms: "sms"
        case .phone: "phone"
        case .mobileApp: "push"
        case .web, .chat, .social, .store, .api: nil
        }
    }

    /// Whether a message on `channel` (a consent channel; nil: one where consent is not recorded)
    /// for `purpose` may go.
    public func decision(channel: String?, purpose: MessagePurpose) -> Decision {
        guard let channel else {
            return purpose.needsGrant
                ? .refused("no consent to \(purpose.rawValue) can be given on this channel (consent is per email, sms, phone, post and push)")
                : .allowed
        }
        switch (lastWord(channel: channel, purpose: purpose), purpose.needsGrant) {
        case (let said?, _) where !said.granted:
            return .refused("the customer withdrew consent to \(purpose.rawValue) by \(channel) on \(said.givenAt.rfc3339) (record \(said.recordID))")
        case (nil, true):
            return .refused("the customer has not consented to \(purpose.rawValue) by \(channel)")
        default:
            return .allowed
        }
    }

    /// The record the customer said the last word on `channel` and `purpose` in; nil: never asked.
    public func lastWord(channel: String, purpose: MessagePurpose) -> Entry? {
        entries.filter { $0.channel == channel && $0.purpose == purpose.rawValue }
            .max { ($0.givenAt, $0.recordID) < ($1.givenAt, $1.recordID) }
    }

    /// The channels consent is recorded for (the `consent` type's `channel` choices).
    public static let channels = ["email", "sms", "phone", "post", "push"]

    /// Where a customer stands on one channel and purpose: their last word, and what it means for
    /// a message sent there.
    public struct Standing: Sendable, Equatable {
        public var channel: String
        public var purpose: MessagePurpose
        public var lastWord: Entry?
        public var decision: Decision
    }

    /// Every channel and purpose with where the customer stands, channel by channel — what a
    /// person sees of the ledger, decided as every sender decides.
    public var standings: [Standing] {
        Self.channels.flatMap { channel in
            MessagePurpose.allCases.map { purpose in
                Standing(channel: channel, purpose: purpose, lastWord: lastWord(channel: channel, purpose: purpose),
                         decision: decision(channel: channel, purpose: purpose))
            }
        }
    }
}
