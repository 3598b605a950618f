import RapportCore
import RapportFlow
import SQLKit

/// The opening hours a process's business-hours timers count in: a department's
/// (`PUT /v1/departments/{id}/business-hours`), else the company's (the routing settings'), else
/// every minute. Read in the transaction that arms the timers, so a change of hours applies to
/// the timers armed after it.
extension SQLProcessStore {
    /// The hours of each of `process.businessHours`; empty (and no query) for a process without them.
    func calendars(for process: ProcessDefinition, in tx: WriteTransaction) async throws -> FlowCalendars {
        guard !process.businessHours.isEmpty else { return [:] }
        var calendars: FlowCalendars = [:]
        var company: BusinessHours??
        for reference in process.businessHours {
            if let department = reference.department, let id = try await departmentID(department, in: tx),
               let hours = try await SQLHandoffStore.businessHours(of: id, on: tx.database) {
                calendars[reference] = hours
                continue
            }
            if company == nil {
                let settings = try await SettingsRows.document(SettingKeys.routing, on: tx.database).flatMap { try? RoutingSettings.read($0) }
                company = .some(settings?.businessHours)
            }
            if let hours = company ?? nil { calendars[reference] = hours }
        }
        return calendars
    }

    /// Refuses a version whose timers count in the hours of a department that does not exist.
    func checkBusinessHours(of process: ProcessDefinition, in tx: WriteTransaction) async throws {
        for node in process.nodes {
            guard let department = node.kind.timer?.businessHours?.department else { continue }
            guard try await departmentID(department, in: tx) != nil else {
                throw StoreError(.invalidReference, "the timer of \(node.element) \(node.id) counts in the business hours of department "
                                 + "\(department), and no department has that id or key", field: "xml")
            }
        }
    }

    private func departmentID(_ idOrKey: String, in tx: WriteTransaction) async throws -> String? {
        try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: idOrKey) OR key = \(bind: idOrKey)")?.string("id")
    }
}
