import RapportCore

/// Segments and their members. Defining or changing a segment computes its members in the same
/// transaction (its count is right in the answer); afterwards the segment monitor reconciles the
/// customers that change, in its own transactions, with `rapport.segment.entered`/`left`.
public protocol SegmentStore: Sendable {
    /// 409 naming `name` when another segment has it; `rapport.segment.created` with the count.
    func createSegment(_ draft: SegmentDraft, actor: Actor, in tx: WriteTransaction) async throws -> (Segment, count: Int)

    /// 412 on a stale version; members that no longer match leave and new ones enter, silently
    /// (a definition's change is one `rapport.segment.updated`, not an event per customer).
    func changeSegment(_ id: String, _ draft: SegmentDraft, expectedVersion: Int64?, actor: Actor,
                       in tx: WriteTransaction) async throws -> (Segment, count: Int)

    func deleteSegment(_ id: String, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws

    func segments() async throws -> [Segment]

    func segment(_ id: String) async throws -> Segment?

    /// How many customers are members now (read from the members, not by evaluating the filter).
    func memberCount(of id: String) async throws -> Int

    /// The count by evaluating the filter over every customer (what the members must equal).
    func evaluatedCount(of segment: Segment) async throws -> Int

    /// Members by customer id, with when each entered.
    func members(of id: String, limit: Int, cursor: String?) async throws -> Page<SegmentMember>

    /// Brings the members of every segment up to date for these customers (created, changed,
    /// merged away or deleted), appending `rapport.segment.entered`/`left` for each move.
    func reconcile(customerIDs: [String], in tx: WriteTransaction) async throws -> (entered: Int, left: Int)
}

/// A customer in a segment, and since when.
public struct SegmentMember: Sendable, Equatable {
    public var customerID: String
    public var name: String
    public var enteredAt: Timestamp

    public var json: JSONValue {
        ["customer_id": .string(customerID), "name": .string(name), "entered_at": .string(enteredAt.rfc3339)]
    }
}

/// The SQL implementation of `SegmentStore`, on SQLite or PostgreSQL.
public struct SQLSegmentStore: SegmentStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
