import RapportCore

/// Record types defined at run time: created, and changed while records are stored — a change
/// commits only when every stored value converts to the new definition (the records that block it
/// are named), and the stored values are rewritten in the same transaction.
public protocol RecordTypeStore: Sendable {
    /// 409 when a type has the key already; `rapport.record_type.created`.
    func createRecordType(_ draft: RecordTypeDraft, actor: Actor, in tx: WriteTransaction) async throws -> RecordType

    /// Replaces the definition (`RecordTypeChange`); 412 on a stale `expectedVersion`; 422 naming
    /// the field and the records whose values do not convert; `rapport.record_type.updated`.
    func replaceRecordType(_ draft: RecordTypeDraft, expectedVersion: Int64?, context: FieldValueContext, actor: Actor,
                           in tx: WriteTransaction) async throws -> RecordType

    func recordType(_ key: String) async throws -> RecordType?

    /// The type as the transaction sees it: records are checked against the definition they commit with.
    func recordType(_ key: String, in tx: WriteTransaction) async throws -> RecordType?

    func recordTypes() async throws -> [RecordType]

    /// Creates the types of `drafts` that do not exist yet, in order; those that do are kept as they
    /// are. Returns the keys of each.
    func install(_ drafts: [RecordTypeDraft], actor: Actor, in tx: WriteTransaction) async throws -> (installed: [String], kept: [String])
}

/// The SQL implementation of `RecordTypeStore`, on SQLite or PostgreSQL.
public struct SQLRecordTypeStore: RecordTypeStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
