import RapportCore

/// Email going out: replies queued on their conversations, leased to a sender, and what each
/// attempt at the relay came to; addresses that bounced.
///
/// A reply is queued in the transaction that records it on the timeline (its interaction and
/// `rapport.mail.queued` commit together), written once as it will be sent, so every attempt
/// sends the same bytes with the same Message-ID. A message whose end reached the relay without
/// an answer is never sent again by the queue: see `MailDeliveryStatus.unconfirmed`.
public protocol MailOutboxStore: Sendable {
    /// Queues `reply` on the email conversation `conversationID`: answering its newest message
    /// (or, when it has none, written to the customer's first email address), from the channel's
    /// address, with a Message-ID `<mail id>@hostname`.
    func queueReply(_ reply: EmailReply, toConversation conversationID: String, hostname: String, actor: Actor,
                    in tx: WriteTransaction) async throws -> MailRecord

    /// Leases up to `limit` messages that are due to `owner` until `until`. Messages a dead node
    /// was handing over when its lease lapsed become `unconfirmed` instead (and are not leased).
    func leaseDueMail(owner: String, until: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> [QueuedMail]

    /// Records, before the end of the message goes to the relay, that `owner` is handing it
    /// over (and holds it until `until`); fails when `owner` no longer holds its lease.
    func markHandingOver(_ mailID: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws

    /// Holds a message `owner` is still sending until `until` (a no-op when it lost the lease).
    func renewMailLease(_ mailID: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws

    /// Records attempts' outcomes: status, next attempt, the relay's note; bad addresses are
    /// marked undeliverable; `rapport.mail.<status>` for each. With `owner`, only messages still
    /// leased to it are recorded.
    func recordMailOutcomes(_ outcomes: [MailAttemptOutcome], owner: String?, in tx: WriteTransaction) async throws

    /// Puts a message that is not waiting (unconfirmed, failed, bounced or sent) back in the
    /// queue, due now, with the same bytes and Message-ID.
    func resendMail(_ mailID: String, actor: Actor, in tx: WriteTransaction) async throws -> MailRecord

    /// Marks the recipients a delivery report says failed (RFC 3464 `failed`) as undeliverable,
    /// and the outgoing message it returns (by Message-ID) as bounced.
    func applyDeliveryReport(_ report: DeliveryReport, channelID: String, in tx: WriteTransaction) async throws

    /// Whether any message is due now and not leased (a cheap read before leasing in a write).
    func hasDueMail() async throws -> Bool

    /// Which of `addresses` bounced, by lowercased address.
    func undeliverable(_ addresses: [String]) async throws -> [String: UndeliverableAddress]
}

/// The SQL implementation of `MailOutboxStore`, on SQLite or PostgreSQL.
public struct SQLMailOutboxStore: MailOutboxStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
