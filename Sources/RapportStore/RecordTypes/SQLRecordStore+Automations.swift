import RapportCore
import SQLKit

extension SQLRecordStore {
    /// Runs the type's automations the write from `before` (nil: created) to `after` fires, in the
    /// write's transaction: each opens its handoff about the record's customer. Records about no
    /// customer set nothing going (a handoff is about a customer).
    func runAutomations(of type: RecordType, before: BusinessRecord?, after: BusinessRecord, in tx: WriteTransaction) async throws {
        guard let customerID = after.customerID else { return }
        for automation in type.automations where automation.fires(before: before, after: after) {
            let reason = "\(automation.reason) (\(type.label) \(after.id))"
            let draft = HandoffDraft(kind: automation.handoffKind, fromDepartment: automation.from, toDepartment: automation.to,
                                     customerID: customerID, reason: String(reason.prefix(2_000)), slaMinutes: automation.slaMinutes)
            let author = Colleague(actor: Actor(kind: .system, id: "automation:\(type.key).\(automation.key)"), departmentID: nil, moderates: true)
            _ = try await store.handoffs.requestHandoff(draft, by: author, in: tx)
        }
    }
}
