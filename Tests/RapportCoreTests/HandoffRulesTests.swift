import Foundation
import RapportCore
import Testing

@Suite("Handoffs: SLA deadlines in business hours and the steps a handoff may take") struct HandoffRulesTests {
    let weekdays = BusinessHours(timeZone: TimeZone(identifier: "Europe/Berlin")!,
                                 intervals: [1: [540..<1_020], 2: [540..<1_020], 3: [540..<1_020], 4: [540..<1_020], 5: [540..<780, 840..<1_020]],
                                 closedDates: ["2026-12-07"])

    @Test func slaMinutesCountOnlyOpeningTime() {
        // Friday 4 Dec 2026, 16:00 Berlin (15:00 UTC): 60 minutes on Friday, Monday 7 Dec is closed,
        // so the remaining 180 run on Tuesday from 09:00 to 12:00 Berlin.
        let friday = Timestamp(rfc3339: "2026-12-04T15:00:00Z")!
        #expect(weekdays.deadline(adding: 240, to: friday) == Timestamp(rfc3339: "2026-12-08T11:00:00Z"))
        // Friday 12:30 Berlin: 30 minutes before lunch, the lunch break does not count, 30 after it.
        #expect(weekdays.deadline(adding: 60, to: Timestamp(rfc3339: "2026-12-04T11:30:00Z")!) == Timestamp(rfc3339: "2026-12-04T13:30:00Z"))
        // Asked on a Saturday: counting starts at the next opening.
        #expect(weekdays.deadline(adding: 30, to: Timestamp(rfc3339: "2026-12-05T10:00:00Z")!) == Timestamp(rfc3339: "2026-12-08T08:30:00Z"))
        // No opening time at all: every minute counts.
        let never = BusinessHours(timeZone: TimeZone(identifier: "UTC")!, intervals: [:])
        #expect(never.deadline(adding: 60, to: friday) == Timestamp(rfc3339: "2026-12-04T16:00:00Z"))
    }

    @Test func aHandoffIsAnsweredOnceDoneOnceAndEscalatesOnlyWhenLate() throws {
        let asked = Timestamp(rfc3339: "2026-12-04T09:00:00Z")!
        let due = Timestamp(rfc3339: "2026-12-04T13:00:00Z")!
        let handoff = Handoff(id: "hof_1", kind: .upsellLead, fromDepartmentID: "dep_service", toDepartmentID: "dep_sales", customerID: "cus_1",
                              conversationID: nil, reason: "Wants more seats", status: .requested, requestedBy: Actor(kind: .user, id: "usr_ana"),
                              acceptedBy: nil, slaMinutes: 240, answerDueAt: due, escalatedAt: nil, declineReason: nil, outcome: nil,
                              createdAt: asked, updatedAt: asked, answeredAt: nil, completedAt: nil, version: 1)
        #expect(handoff.json(at: asked).objectValue?["sla_breached"] == .bool(false))
        #expect(handoff.json(at: due.adding(.seconds(1))).objectValue?["sla_breached"] == .bool(true))
        #expect(throws: HandoffRefusal.notLapsed) { try handoff.taking(.escalate, at: asked).get() }
        let (escalated, change) = try handoff.taking(.escalate, at: due).get()
        #expect(change == "escalated")
        #expect(escalated.escalatedAt == due)
        #expect(escalated.status == .requested)
        #expect(throws: HandoffRefusal.notLapsed) { try escalated.taking(.escalate, at: due.adding(.seconds(60))).get() }
        let (accepted, _) = try escalated.taking(.accept(userID: "usr_li"), at: due).get()
        #expect(accepted.acceptedBy == "usr_li")
        #expect(accepted.version == 3)
        #expect(throws: HandoffRefusal.notRequested(.accepted, "declined")) { try accepted.taking(.decline(reason: "no"), at: due).get() }
        let (done, doneChange) = try accepted.taking(.complete(outcome: "Sold 20 seats"), at: due).get()
        #expect(doneChange == "done")
        #expect(throws: HandoffRefusal.finished(.done)) { try done.taking(.cancel, at: due).get() }
        #expect(throws: HandoffRefusal.notAccepted(.requested)) { try handoff.taking(.complete(outcome: nil), at: due).get() }
        #expect(HandoffKind.wonDeal.route?.to == "finance")
        #expect(throws: ValidationFailure.self) { try HandoffDraft.read(["kind": "other", "customer_id": "cus_1", "reason": "x"]) }
    }
}
