import RapportCore

/// Tasks: created by people and by routing rules, given to a user, a queue or a department,
/// listed per person ("mine"), per department and overdue, reminded and flagged overdue by the
/// deadline watcher, and made again when a recurring one is done.
public protocol TaskStore: Sendable {
    /// Creates a task (`source`: `person`, `rule:<id>`, …); its assignee (or the people of its
    /// queue or department) notified, the creator excepted; `rapport.task.created`.
    func createTask(_ draft: TaskDraft, source: String, by actor: Actor, in tx: WriteTransaction) async throws -> TaskItem

    /// Changes a task; done → completed (and the next one made when it recurs), a new assignee
    /// notified; `rapport.task.updated`, `.completed` or `.cancelled`.
    func changeTask(_ id: String, _ changes: TaskChanges, expectedVersion: Int64?, by actor: Actor,
                    in tx: WriteTransaction) async throws -> TaskItem

    func task(_ id: String) async throws -> TaskItem?

    /// The store's time: what due times and overdue flags are measured against.
    func now() -> Timestamp

    func tasks(_ query: TaskQuery, limit: Int, cursor: String?) async throws -> Page<TaskItem>

    /// Sends the reminders that are due and the overdue notices of open tasks past their due
    /// time at `now`, at most `limit` of each; how many went out.
    func sendDueNotices(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int
}

/// Which tasks a list shows.
public struct TaskQuery: Sendable, Equatable {
    public enum View: String, Sendable, CaseIterable {
        /// Given to the user, or to a queue the user is in.
        case mine
        /// Given to the user's department, one of its queues or one of its people.
        case department
        /// Every task.
        case all
    }

    public var view: View
    public var userID: String?
    public var departmentID: String?
    public var status: TaskStatus?
    public var overdueAt: Timestamp?
    public var customerID: String?
    public var conversationID: String?

    public init(view: View, userID: String?, departmentID: String?, status: TaskStatus? = .open, overdueAt: Timestamp? = nil,
                customerID: String? = nil, conversationID: String? = nil) {
        self.view = view
        self.userID = userID
        self.departmentID = departmentID
        self.status = status
        self.overdueAt = overdueAt
        self.customerID = customerID
        self.conversationID = conversationID
    }
}

/// The SQL implementation of `TaskStore`, on SQLite or PostgreSQL.
public struct SQLTaskStore: TaskStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func now() -> Timestamp { clock() }
}
