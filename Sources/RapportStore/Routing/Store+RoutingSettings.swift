import RapportCore
import SQLKit

extension Store {
    /// The routing settings in force (the defaults until some are saved).
    public func routingSettings() async throws -> RoutingSettings {
        try await read { database in
            guard let row = try await database.raw("SELECT value FROM settings WHERE key = \(bind: SettingKeys.routing)").first() else {
                return RoutingSettings()
            }
            return (try? RoutingSettings.read(try JSONParser.parse(try row.string("value")))) ?? RoutingSettings()
        }
    }
}

extension WriteTransaction {
    /// Replaces the routing settings; a triage department must exist.
    public func setRoutingSettings(_ settings: RoutingSettings, actor: Actor) async throws {
        if let triage = settings.triageDepartment, try await departmentID(for: triage) == nil {
            throw StoreError(.invalidReference, "department \(triage) does not exist", field: "triage.department")
        }
        try await execute("DELETE FROM settings WHERE key = \(bind: SettingKeys.routing)")
        try await execute("""
            INSERT INTO settings (key, value, updated_at) VALUES (\(bind: SettingKeys.routing), \(bind: settings.json.jsonString),
                \(bind: now().microseconds))
            """)
        append(.change("settings", "updated", subject: SettingKeys.routing, record: settings.json, changedFields: ["routing"], actor: actor))
    }
}

extension SettingKeys {
    static let routing = "routing"
}
