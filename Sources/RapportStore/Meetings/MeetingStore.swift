import RapportCore

/// Meetings with customers: scheduled, changed and cancelled by invitations sent through the
/// mail queue from an email channel's address, and answered by attendees' replies.
public protocol MeetingStore: Sendable {
    /// Schedules a meeting: the customer (unless left out), the users and the other addresses
    /// invited; a `meeting` interaction on the customer's timeline; a METHOD:REQUEST invitation
    /// queued from the channel; `rapport.meeting.scheduled`.
    func schedule(_ draft: MeetingDraft, organizerUserID: String?, hostname: String, actor: Actor, in tx: WriteTransaction) async throws -> MeetingRecord

    /// Changes a meeting: SEQUENCE goes up and the updated invitation is sent; `rapport.meeting.updated`.
    func reschedule(_ id: String, changes: MeetingDraft, hostname: String, actor: Actor, in tx: WriteTransaction) async throws -> MeetingRecord

    /// Cancels a meeting: METHOD:CANCEL with a higher SEQUENCE; `rapport.meeting.cancelled`.
    func cancel(_ id: String, hostname: String, actor: Actor, in tx: WriteTransaction) async throws -> MeetingRecord

    /// Applies answers (METHOD:REPLY) to the meetings they name; answers to an older version
    /// (a lower SEQUENCE) are ignored. `rapport.meeting.answered` for each one applied.
    func applyReplies(_ replies: [MeetingInvitation.Reply], in tx: WriteTransaction) async throws

    func meeting(_ id: String) async throws -> MeetingRecord?

    func meetings(ofCustomer customerID: String, limit: Int) async throws -> [MeetingRecord]

    /// A new private feed link token for the user (returned once; its hash is kept).
    func createCalendarFeed(for userID: String, in tx: WriteTransaction) async throws -> String

    /// The meetings the feed token's user organises or attends, newest first; nil for an unknown token.
    func calendarFeed(token: String, limit: Int) async throws -> [MeetingRecord]?
}

/// The SQL implementation of `MeetingStore`, on SQLite or PostgreSQL.
public struct SQLMeetingStore: MeetingStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
