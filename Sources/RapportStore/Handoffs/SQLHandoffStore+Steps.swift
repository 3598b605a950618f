import RapportCore
import SQLKit

extension SQLHandoffStore {
    public func requestHandoff(_ draft: HandoffDraft, by author: Colleague, in tx: WriteTransaction) async throws -> Handoff {
        let (customerID, conversationID) = try await store.customers.subject(customerID: draft.customerID, conversationID: draft.conversationID, in: tx)
        guard let fromName = draft.fromDepartment ?? author.departmentID ?? draft.kind.route?.from else {
            throw StoreError(.forbidden, "you belong to no department: say which one the handoff is from (from_department_id)")
        }
        guard let from = try await departmentID(fromName, in: tx) else {
            throw StoreError(.invalidReference, "department \(fromName) does not exist", field: "from_department_id")
        }
        if from != author.departmentID, !author.moderates {
            throw StoreError(.forbidden, "a handoff goes from your own department (a manager or admin may send one for another)")
        }
        let toName = draft.toDepartment ?? draft.kind.route?.to ?? ""
        guard let to = try await departmentID(toName, in: tx) else {
            throw StoreError(.invalidReference, "department \(toName) does not exist", field: "to_department_id")
        }
        guard to != from else {
            throw StoreError(.invalidReference, "a handoff goes to another department than the one it comes from", field: "to_department_id")
        }
        let time = tx.now()
        let minutes = draft.slaMinutes ?? draft.kind.defaultSLAMinutes
        let hours = try await Self.businessHours(of: to, on: tx.database)
        let due = hours?.deadline(adding: minutes, to: time) ?? time.adding(.seconds(Int64(minutes) * 60))
        let handoff = Handoff(id: tx.newID("hof"), kind: draft.kind, fromDepartmentID: from, toDepartmentID: to, customerID: customerID,
                              conversationID: conversationID, reason: draft.reason, status: .requested, requestedBy: author.actor,
                              acceptedBy: nil, slaMinutes: minutes, answerDueAt: due, escalatedAt: nil, declineReason: nil, outcome: nil,
                              createdAt: time, updatedAt: time, answeredAt: nil, completedAt: nil, version: 1)
        try await tx.execute("""
            INSERT INTO handoffs (id, kind, from_department_id, to_department_id, customer_id, conversation_id, status, answer_due_at,
                                  escalated_at, record, created_at, updated_at, version)
            VALUES (\(bind: handoff.id), \(bind: handoff.kind.rawValue), \(bind: from), \(bind: to), \(bind: customerID),
                    \(bind: conversationID), 'requested', \(bind: due.microseconds), NULL, \(bind: Self.record(handoff)),
                    \(bind: time.microseconds), \(bind: time.microseconds), 1)
            """)
        tx.append(.change("handoff", "requested", subject: customerID, record: handoff.json(at: time), changedFields: [], actor: author.actor))
        try await recordStep("requested", of: handoff, by: author.actor, in: tx)
        try await notify(store.notifications.users(reachedBy: ["department:\(to)"], in: tx), about: handoff, kind: .handoff,
                         except: author.actor, in: tx)
        return handoff
    }

    public func takeStep(_ id: String, _ step: HandoffStep, expectedVersion: Int64?, by author: Colleague,
                         in tx: WriteTransaction) async throws -> Handoff {
        guard let row = try await tx.firstRow("\(Self.columns) WHERE id = \(bind: id)") else { throw StoreError.notFound("handoff", id) }
        let handoff = try Self.decode(row)
        if let expectedVersion, expectedVersion != handoff.version {
            throw StoreError(.preconditionFailed, "handoff \(id) is at version \(handoff.version), not \(expectedVersion)")
        }
        let mayAnswer = author.departmentID == handoff.toDepartmentID || author.moderates
        switch step {
        case .accept, .decline:
            guard mayAnswer else { throw StoreError(.forbidden, "only the receiving department answers a handoff") }
        case .complete:
            guard mayAnswer || (author.userID != nil && author.userID == handoff.acceptedBy) else {
                throw StoreError(.forbidden, "only the receiving department completes a handoff")
            }
        case .cancel:
            guard author.departmentID == handoff.fromDepartmentID || author.actor == handoff.requestedBy || author.moderates else {
                throw StoreError(.forbidden, "only the requesting department cancels a handoff")
            }
        case .escalate:
            throw StoreError(.forbidden, "handoffs escalate by themselves when their time lapses")
        }
        return try await apply(step, to: handoff, actor: author.actor, in: tx)
    }

    public func escalateLapsed(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int {
        let lapsed = try await tx.rows("""
            \(Self.columns) WHERE status = 'requested' AND escalated_at IS NULL AND answer_due_at <= \(bind: now.microseconds)
            ORDER BY answer_due_at, id LIMIT \(bind: limit)
            """).map(Self.decode)
        for handoff in lapsed { _ = try await apply(.escalate, to: handoff, actor: .system, in: tx) }
        return lapsed.count
    }

    public func setBusinessHours(_ hours: BusinessHours?, of departmentID: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: departmentID)") != nil else {
            throw StoreError.notFound("department", departmentID)
        }
        try await store.settings.replaceSetting(Self.hoursKey(departmentID), with: hours?.json ?? .null, actor: actor, in: tx)
    }

    // MARK: - Parts

    /// Takes a step: the row updated, the event, the notifications.
    private func apply(_ step: HandoffStep, to handoff: Handoff, actor: Actor, in tx: WriteTransaction) async throws -> Handoff {
        let time = tx.now()
        let (next, change): (Handoff, String)
        switch handoff.taking(step, at: time) {
        case .success(let taken): (next, change) = taken
        case .failure(let refusal): throw StoreError(.conflict, refusal.description)
        }
        try await tx.execute("""
            UPDATE handoffs SET status = \(bind: next.status.rawValue), escalated_at = \(bind: next.escalatedAt?.microseconds),
                record = \(bind: Self.record(next)), updated_at = \(bind: time.microseconds), version = \(bind: next.version)
            WHERE id = \(bind: next.id)
            """)
        let changed = change == "escalated" ? ["escalated_at"] : ["status"]
        tx.append(.change("handoff", change, subject: next.customerID, record: next.json(at: time), changedFields: changed, actor: actor))
        try await recordStep(change, of: next, by: actor, in: tx)
        let requester = next.requestedBy.kind == .user ? next.requestedBy.id.map { [$0] } ?? [] : []
        switch step {
        case .accept, .decline, .complete:
            try await notify(requester, about: next, kind: .handoff, except: actor, in: tx)
        case .cancel:
            try await notify(store.notifications.users(reachedBy: ["department:\(next.toDepartmentID)"], in: tx), about: next, kind: .handoff,
                             except: actor, in: tx)
        case .escalate:
            var managers = try await tx.rows("""
                SELECT id FROM users WHERE department_id = \(bind: next.toDepartmentID) AND active = 1 AND role IN ('manager', 'admin') ORDER BY id
                """).map { try $0.string("id") }
            // A department without a manager: everyone in it hears that the time has passed; one
            // with no one active at all: the admins, so that the handoff is not lost.
            if managers.isEmpty { managers = try await store.notifications.users(reachedBy: ["department:\(next.toDepartmentID)"], in: tx) }
            if managers.isEmpty {
                managers = try await tx.rows("SELECT id FROM users WHERE active = 1 AND role = 'admin' ORDER BY id").map { try $0.string("id") }
            }
            try await notify(managers + requester.filter { !managers.contains($0) }, about: next, kind: .handoffEscalated, except: nil, in: tx)
        }
        return next
    }

    /// Keeps the step for the customer's timeline and the departments' feeds.
    private func recordStep(_ step: String, of handoff: Handoff, by actor: Actor, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO handoff_steps (id, handoff_id, step, from_department_id, to_department_id, actor, at, record)
            VALUES (\(bind: tx.newID("hst")), \(bind: handoff.id), \(bind: step), \(bind: handoff.fromDepartmentID),
                    \(bind: handoff.toDepartmentID), \(bind: actor.json.jsonString), \(bind: handoff.updatedAt.microseconds), \(bind: Self.record(handoff)))
            """)
    }

    private func notify(_ users: [String], about handoff: Handoff, kind: NotificationKind, except actor: Actor?,
                        in tx: WriteTransaction) async throws {
        let subject = NotificationSubject(customerID: handoff.customerID, conversationID: handoff.conversationID, handoffID: handoff.id,
                                          text: handoff.reason)
        try await store.notifications.notify(users, kind: kind, about: subject, actor: actor, in: tx)
    }

    private func departmentID(_ idOrKey: String, in tx: WriteTransaction) async throws -> String? {
        try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: idOrKey) OR key = \(bind: idOrKey)").map { try $0.string("id") }
    }

}
