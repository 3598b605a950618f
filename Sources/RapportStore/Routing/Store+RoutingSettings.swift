import RapportCore
import SQLKit

extension Store {
    /// The routing settings in force (the defaults until some are saved).
    public func routingSettings() async throws -> RoutingSettings {
        guard let document = try await read({ try await SettingsRows.document(SettingKeys.routing, on: $0) }) else { return RoutingSettings() }
        return (try? RoutingSettings.read(document)) ?? RoutingSettings()
    }
}

extension WriteTransaction {
    /// Replaces the routing settings; a triage department must exist.
    public func setRoutingSettings(_ settings: RoutingSettings, actor: Actor) async throws {
        if let triage = settings.triageDepartment, try await departmentID(for: triage) == nil {
            throw StoreError(.invalidReference, "department \(triage) does not exist", field: "triage.department")
        }
        try await replaceSetting(SettingKeys.routing, with: settings.json, actor: actor)
    }
}

