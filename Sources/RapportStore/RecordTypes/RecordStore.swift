import RapportCore

/// Records of the types defined at run time: created, changed and deleted in the writer's
/// transactions with their unique values kept and their references checked; listed with a CEL
/// filter the database evaluates, in any field's order.
public protocol RecordStore: Sendable {
    /// 404 for an unknown type or customer; 422 naming `fields.<key>` for a reference to nothing;
    /// 409 naming `fields.<key>` for a unique value another record holds; `rapport.record.created`.
    func createRecord(of type: RecordType, _ draft: RecordDraft, actor: Actor, in tx: WriteTransaction) async throws -> BusinessRecord

    /// 412 on a stale `expectedVersion`; as create for the values; `rapport.record.updated` naming the fields changed.
    func changeRecord(_ id: String, of type: RecordType, _ changes: RecordChanges, expectedVersion: Int64?, context: FieldValueContext,
                      actor: Actor, in tx: WriteTransaction) async throws -> BusinessRecord

    /// Deletes it (its unique values become free); `rapport.record.deleted`.
    func deleteRecord(_ id: String, of type: RecordType, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws

    /// The record when it is of `type` and not deleted (customer references show the survivor of a merge).
    func record(_ id: String, of type: RecordType) async throws -> BusinessRecord?

    /// One page in `query.sort`'s order (records without a value last, then by id).
    func records(_ query: RecordQuery, limit: Int, cursor: String?) async throws -> Page<BusinessRecord>

    /// The store's clock (time in a stage runs until now).
    func now() -> Timestamp

    /// Every stage the record stood in, oldest first.
    func stageHistory(of id: String) async throws -> [RecordStageVisit]

    /// The records of every type about a customer, by creation time then id, for its timeline
    /// (the cursor is the timeline's `time|id`).
    func records(customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<BusinessRecord>
}

/// Which records of a type a list holds and in what order.
public struct RecordQuery: Sendable {
    public var type: RecordType
    public var condition: ListCondition?
    public var customerID: String?
    public var sort: RecordSort

    public init(type: RecordType, condition: ListCondition? = nil, customerID: String? = nil, sort: RecordSort = .newestFirst) {
        self.type = type
        self.condition = condition
        self.customerID = customerID
        self.sort = sort
    }
}

/// The SQL implementation of `RecordStore`, on SQLite or PostgreSQL.
public struct SQLRecordStore: RecordStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func now() -> Timestamp { clock() }
}
