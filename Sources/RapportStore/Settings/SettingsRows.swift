import RapportCore
import SQLKit

/// Keys of the settings table: one JSON document per key.
enum SettingKeys {
    static let survivorship = "survivorship"
    static let matching = "matching"
    static let routing = "routing"
}

/// The settings table: the document stored under a key, and its replacement with an event.
enum SettingsRows {
    /// The document under `key`; nil until one is saved.
    static func document(_ key: String, on database: any SQLDatabase) async throws -> JSONValue? {
        guard let row = try await database.raw("SELECT value FROM settings WHERE key = \(bind: key)").first() else { return nil }
        return try JSONParser.parse(try row.string("value"))
    }
}

extension SQLSettingsStore {
    /// Replaces the document under `key` and appends `rapport.settings.updated` with it.
    func replaceSetting(_ key: String, with document: JSONValue, actor: Actor, in tx: WriteTransaction) async throws {
        try await tx.execute("DELETE FROM settings WHERE key = \(bind: key)")
        try await tx.execute("""
            INSERT INTO settings (key, value, updated_at) VALUES (\(bind: key), \(bind: document.jsonString), \(bind: tx.now().microseconds))
            """)
        tx.append(.change("settings", "updated", subject: key, record: document, changedFields: [key], actor: actor))
    }
}
