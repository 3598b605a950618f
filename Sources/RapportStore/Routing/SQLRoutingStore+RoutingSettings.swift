import RapportCore
import SQLKit

extension SQLRoutingStore {
    /// The routing settings in force (the defaults until some are saved).
    public func routingSettings() async throws -> RoutingSettings {
        guard let document = try await read({ try await SettingsRows.document(SettingKeys.routing, on: $0) }) else { return RoutingSettings() }
        return (try? RoutingSettings.read(document)) ?? RoutingSettings()
    }
}

extension SQLRoutingStore {
    /// Replaces the routing settings; a triage department must exist.
    public func setRoutingSettings(_ settings: RoutingSettings, actor: Actor, in tx: WriteTransaction) async throws {
        if let triage = settings.triageDepartment, try await departmentID(for: triage, in: tx) == nil {
            throw StoreError(.invalidReference, "department \(triage) does not exist", field: "triage.department")
        }
        try await store.settings.replaceSetting(SettingKeys.routing, with: settings.json, actor: actor, in: tx)
    }
}

