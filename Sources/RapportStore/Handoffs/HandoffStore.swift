import RapportCore

/// Handoffs between departments: requested with an SLA in the receiving department's business
/// hours, answered (accepted or declined with a reason), done, cancelled, and escalated to the
/// receiving department's managers when the SLA lapses unanswered; every step an event and a
/// notification in the same transaction.
public protocol HandoffStore: Sendable {
    func requestHandoff(_ draft: HandoffDraft, by author: Colleague, in tx: WriteTransaction) async throws -> Handoff

    /// Accepts, declines, completes or cancels; 403 for someone the step is not theirs to take,
    /// 409 when the handoff's state does not allow it.
    func takeStep(_ id: String, _ step: HandoffStep, expectedVersion: Int64?, by author: Colleague,
                  in tx: WriteTransaction) async throws -> Handoff

    func handoff(_ id: String) async throws -> Handoff?

    /// A department's handoffs, in (to it), out (from it) or both; newest first.
    func handoffs(departmentID: String?, direction: HandoffDirection, status: HandoffStatus?, customerID: String?,
                  limit: Int, cursor: String?) async throws -> Page<Handoff>

    /// The steps of a customer's handoffs, for the timeline.
    func steps(customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<HandoffStepRecord>

    /// A handoff's steps, first to last.
    func steps(handoffID: String) async throws -> [HandoffStepRecord]

    /// Escalates the unanswered handoffs whose SLA lapsed by `now`; how many.
    func escalateLapsed(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int

    /// A department's opening hours, which its handoffs' SLAs count in (nil inside: every hour
    /// counts); nil when there is no such department.
    func businessHours(of departmentID: String) async throws -> BusinessHours??

    func setBusinessHours(_ hours: BusinessHours?, of departmentID: String, actor: Actor, in tx: WriteTransaction) async throws

    /// The store's time.
    func now() -> Timestamp
}

public enum HandoffDirection: String, Sendable, CaseIterable {
    case incoming = "in"
    case outgoing = "out"
    case both
}

/// The SQL implementation of `HandoffStore`, on SQLite or PostgreSQL.
public struct SQLHandoffStore: HandoffStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func now() -> Timestamp { clock() }
}
