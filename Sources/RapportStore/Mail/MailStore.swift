import RapportCore

/// Email on its channels: messages received (kept raw with what was read from them, each an
/// interaction on its sender's timeline, threaded into conversations), and their attachments.
public protocol MailStore: Sendable {
    /// Keeps a received message and records it on the customer record, in `tx`: one mail row per
    /// channel it was addressed to, the sender resolved to a customer (created when unknown), the
    /// interaction in the thread its references (or its subject, within the thread window) name.
    /// A message whose Message-ID this channel already holds is not stored again: its first
    /// record is returned.
    func receive(_ mail: ReceivedMail, in tx: WriteTransaction) async throws -> MailRecord

    /// `mail` with what routing can work out of its message before the write, off the writer, so
    /// that it is routed in the commit that stores it (see `InteractionStore.prepareIngest`).
    func preparedForRouting(_ mail: ReceivedMail) -> ReceivedMail

    func mailMessage(_ id: String) async throws -> MailRecord?

    /// The message exactly as it arrived.
    func rawMessage(_ id: String) async throws -> [UInt8]?

    /// An attachment's particulars and its bytes (nil bytes when it was over the size limit).
    func attachment(_ attachmentID: String, of mailID: String) async throws -> (summary: InboundMail.AttachmentSummary, content: [UInt8]?)?

    /// How far the channel has read its IMAP mailbox; nil before its first fetch.
    func mailboxPosition(of channelID: String) async throws -> MailboxPosition?

    /// Moves the channel's mailbox position on, in the transaction that stores the messages
    /// fetched (`added` of them), so none is taken twice; clears the last error.
    func saveMailboxPosition(of channelID: String, uidValidity: UInt32, lastUID: UInt32, added: Int, in tx: WriteTransaction) async throws

    /// Notes why the last fetch failed (shown with the channel's mailbox).
    func recordMailboxError(of channelID: String, _ error: String, in tx: WriteTransaction) async throws
}

/// A message as it arrived on an email channel, read.
public struct ReceivedMail: Sendable {
    public var channelID: String
    public var raw: [UInt8]
    public var message: MailMessage
    /// `MAIL FROM` (nil for the null sender `<>` of bounces).
    public var envelopeFrom: String?
    public var envelopeTo: [String]
    /// Attachments larger than this are listed but not kept.
    public var attachmentLimit: Int
    public var normalizer: IdentityNormalizer
    /// How long a message without references still joins its sender's thread of the same subject.
    public var subjectWindow: Duration
    /// What routing made of the message before the write (`MailStore.preparedForRouting`).
    public var preparedRouting: PreparedRouting?

    /// What storing this message will look up, for the writer to read for a whole batch at once:
    /// the sender's identity and whether its Message-ID is stored on the channel.
    public var prefetch: WritePrefetch {
        var prefetch = WritePrefetch()
        if let party = InboundMail.party(of: message, envelopeFrom: envelopeFrom, normalizer: normalizer) { prefetch.identities = [party] }
        if let messageID = message.messageID, messageID.count <= 300 {
            prefetch.interactions = [ExternalKey(channelID: channelID, externalID: messageID)]
        }
        return prefetch
    }

    public init(channelID: String, raw: [UInt8], message: MailMessage, envelopeFrom: String?, envelopeTo: [String], attachmentLimit: Int,
                normalizer: IdentityNormalizer, subjectWindow: Duration = .seconds(7 * 86_400)) {
        self.channelID = channelID
        self.raw = raw
        self.message = message
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.attachmentLimit = attachmentLimit
        self.normalizer = normalizer
        self.subjectWindow = subjectWindow
    }
}

/// The SQL implementation of `MailStore`, on SQLite or PostgreSQL.
public struct SQLMailStore: MailStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
