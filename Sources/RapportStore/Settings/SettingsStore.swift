import RapportCore

/// Settings documents, one JSON document per key, each replaced with a
/// `rapport.settings.updated` event. The areas that own a setting (routing, matching,
/// survivorship) read and validate it; this area stores it.
public protocol SettingsStore: Sendable {
    /// The document saved under `key`, or nil while none is.
    func document(_ key: String) async throws -> JSONValue?
}

/// The SQL implementation of `SettingsStore`, on SQLite or PostgreSQL.
public struct SQLSettingsStore: SettingsStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func document(_ key: String) async throws -> JSONValue? {
        try await read { try await SettingsRows.document(key, on: $0) }
    }
}
