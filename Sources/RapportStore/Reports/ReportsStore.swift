import RapportCore

/// Aggregates for dashboards, computed in the database (from counts kept as records change
/// where there are many rows), never by paging records into a client.
public protocol ReportsStore: Sendable {
    /// Interactions per UTC day, channel and direction, for days `from` ... `to` (day numbers since 1970-01-01).
    func interactionsPerDay(fromDay: Int64, toDay: Int64) async throws -> [DailyInteractionCount]

    /// Open, pending and snoozed conversations (and the rest) per department and per queue.
    func conversationLoad() async throws -> ConversationLoad

    /// First-response and resolution times of conversations created since `since`, per department.
    func responseTimes(since: Timestamp) async throws -> [ResponseTimes]

    /// Routing decisions made since `since`, by reason, by first matched rule and by predicted label.
    func routingOutcomes(since: Timestamp) async throws -> RoutingOutcomes

    /// Duplicate candidates per status.
    func duplicateQueue() async throws -> [String: Int64]

    /// Counts, sums and averages over customers, interactions, conversations or a type's records,
    /// grouped and bucketed by time, filtered in CEL — one grouped query in the database.
    func aggregate(_ query: AggregateQuery) async throws -> [AggregateRow]
}

public struct DailyInteractionCount: Sendable, Equatable {
    public var day: Int64
    public var channelID: String
    public var direction: String
    public var count: Int64
}

public struct ConversationLoad: Sendable {
    /// Department id → status → count.
    public var departments: [String: [String: Int64]]
    /// Queue id → status → count.
    public var queues: [String: [String: Int64]]
}

public struct ResponseTimes: Sendable, Equatable {
    /// nil: conversations in no department.
    public var departmentID: String?
    public var conversations: Int64
    public var responded: Int64
    public var averageFirstResponseSeconds: Double?
    public var resolved: Int64
    public var averageResolutionSeconds: Double?
}

public struct RoutingOutcomes: Sendable {
    public var byReason: [String: Int64]
    /// Rule id → decisions where it matched first.
    public var byRule: [String: Int64]
    /// Predicted label → decisions.
    public var byLabel: [String: Int64]
    public var total: Int64
}

/// The SQL implementation of `ReportsStore`.
public struct SQLReportsStore: ReportsStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
