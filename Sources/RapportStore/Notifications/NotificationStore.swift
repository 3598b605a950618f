import RapportCore

/// Each user's inbox of what concerns them, what they want to hear about, and what they follow.
public protocol NotificationStore: Sendable {
    /// Writes a notification about `note` for each recipient; `rapport.notification.created` each.
    func notify(_ recipients: [NotificationFanout.Recipient], about note: Note, in tx: WriteTransaction) async throws

    /// Writes notifications made elsewhere (tasks, rules) for the users who want their kind;
    /// `rapport.notification.created` each.
    func deliver(_ notifications: [UserNotification], in tx: WriteTransaction) async throws

    /// One notification of `kind` about `subject` for each of `users` but the actor themselves,
    /// named by the actor's name; those who turned the kind off get none.
    func notify(_ users: [String], kind: NotificationKind, about subject: NotificationSubject, actor: Actor?, via: ResolvedMention?,
                in tx: WriteTransaction) async throws

    /// The active users a target names: `usr_…` itself, `department:<key or id>` its people,
    /// `queue:<id>` its members.
    func users(reachedBy targets: [String], in tx: WriteTransaction) async throws -> [String]

    /// A user's notifications, newest first.
    func notifications(of userID: String, unreadOnly: Bool, limit: Int, cursor: String?) async throws -> Page<UserNotification>

    func unreadCount(of userID: String) async throws -> Int

    /// Marks one of the user's notifications read (nil when it is not theirs); `rapport.notification.read`.
    func markRead(_ id: String, userID: String, in tx: WriteTransaction) async throws -> UserNotification?

    /// Marks all the user's notifications read; how many were unread.
    func markAllRead(userID: String, in tx: WriteTransaction) async throws -> Int

    func preferences(of userID: String) async throws -> NotificationPreferences

    /// The preferences of those users that changed theirs.
    func preferences(of userIDs: [String], in tx: WriteTransaction) async throws -> [String: NotificationPreferences]

    /// Keeps the user's preferences; turning the digest on starts it from now.
    func setPreferences(_ preferences: NotificationPreferences, of userID: String, in tx: WriteTransaction) async throws

    /// The channel digests go out from and the console address their links use.
    func digestSettings() async throws -> DigestSettings

    /// 422 naming `channel_id` when it is no email channel with an address.
    func setDigestSettings(_ settings: DigestSettings, actor: Actor, in tx: WriteTransaction) async throws

    /// Queues the email digests due at `now` (each user's unread notifications since their last
    /// digest, when there are any); how many were queued. Nothing without a sending channel.
    func queueDueDigests(at now: Timestamp, hostname: String, limit: Int, in tx: WriteTransaction) async throws -> Int

    /// The active users who follow the customer, or the conversation of it.
    func followers(ofCustomer customerID: String, conversationID: String?, in tx: WriteTransaction) async throws -> [String]

    /// The follows of active users of these customers, read at once (for a batch of messages).
    func follows(ofCustomers customerIDs: Set<String>, in tx: WriteTransaction) async throws -> CustomerFollows

    /// Follows a customer (or one of its conversations); the existing follow when there is one.
    func follow(userID: String, customerID: String, conversationID: String?, in tx: WriteTransaction) async throws -> (follow: Follow, created: Bool)

    /// Stops following; false when the follow is not the user's.
    func unfollow(_ id: String, userID: String, in tx: WriteTransaction) async throws -> Bool

    func follows(of userID: String, customerID: String?, conversationID: String?, limit: Int, cursor: String?) async throws -> Page<Follow>

    /// The users who follow the customer, or the conversation (following the customer covers its conversations).
    func followers(customerID: String, conversationID: String?, in tx: WriteTransaction) async throws -> [String]
}

/// The SQL implementation of `NotificationStore`, on SQLite or PostgreSQL.
public struct SQLNotificationStore: NotificationStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
