import RapportCore

/// Webhook subscriptions and their deliveries.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol SubscriptionStore: Sendable {
    /// Stores a subscription with its first secret.
    func createSubscription(_ new: NewSubscription, secret: String, role: Role, actor: Actor,
                            in tx: WriteTransaction) async throws -> Subscription

    /// Applies a merge patch; turning a disabled subscription back on clears its reason.
    func updateSubscription(_ id: String, changes: SubscriptionChanges, actor: Actor, in tx: WriteTransaction) async throws -> Subscription

    /// Makes `secret` the subscription's signing secret; older ones still valid sign too until
    /// `previousExpiresAt` (or their own earlier expiry); expired ones are dropped. Returns when
    /// the replaced secret stops signing.
    func rotateSubscriptionSecret(_ id: String, to secret: String, previousExpiresAt: Timestamp, actor: Actor,
                                  in tx: WriteTransaction) async throws

    /// Removes a subscription and its delivery log.
    func deleteSubscription(_ id: String, actor: Actor, in tx: WriteTransaction) async throws

    /// Queues the events for their subscriptions (one delivery per subscription and event, however
    /// often this runs) and moves the consumer's position, in one transaction.
    func enqueueDeliveries(_ plan: [(event: Event, subscriptionIDs: [String])], consumer: String, position: Int64,
                           in tx: WriteTransaction) async throws

    /// Records attempts: delivered, retried at `nextAttempt`, or dead letters. Those that end no
    /// subscription go in one statement per 200 (a busy sender finishes hundreds a second, and a
    /// statement each would cost the writer more than the rest of the delivery); one with a
    /// `disableReason` (410 Gone) also disables its subscription and cancels its queue.
    func recordAttempts(_ attempts: [WebhookAttempt], in tx: WriteTransaction) async throws

    /// Records one attempt: delivered, retried at `nextAttempt`, or a dead letter; with a
    /// `disableReason` (410 Gone) the subscription is disabled and its queue cancelled.
    func recordAttempt(_ deliveryID: String, status: WebhookDelivery.Status, nextAttempt: Timestamp?, httpStatus: Int?, latencyMilliseconds: Int, error: String?, disableReason: String?,
                       in tx: WriteTransaction) async throws

    /// Leases up to `limit` due deliveries to `owner` until `until`: of active subscriptions, not
    /// leased by a live node, each the oldest pending one of its customer (subject) for its
    /// subscription so one customer's events arrive in order. On PostgreSQL rows another node is
    /// claiming are skipped (`SKIP LOCKED`); a dead node's leases lapse and are taken over.
    func leaseDueDeliveries(owner: String, until: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> [WebhookDelivery]

    /// Puts a delivery back in the queue, due now, with a fresh set of attempts.
    func redeliver(_ deliveryID: String, of subscriptionID: String, in tx: WriteTransaction) async throws -> WebhookDelivery

    func subscriptions() async throws -> [Subscription]

    func subscription(_ id: String) async throws -> Subscription?

    /// The secrets that sign a subscription's deliveries now, newest first.
    func subscriptionSecrets(_ id: String) async throws -> [String]

    /// A subscription's delivery log, newest first.
    func deliveries(of subscriptionID: String, limit: Int) async throws -> [WebhookDelivery]

    /// Whether any delivery is due now and not leased (a cheap read before taking leases in a write).
    func hasDueDeliveries() async throws -> Bool
}

/// The SQL implementation of `SubscriptionStore`, on SQLite or PostgreSQL.
public struct SQLSubscriptionStore: SubscriptionStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
