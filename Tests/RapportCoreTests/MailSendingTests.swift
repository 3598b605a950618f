import RapportCore
import Testing

@Suite("Mail out: what an attempt at the relay means") struct MailSendingTests {
    let sending = MailSending(schedule: RetrySchedule(delays: [.zero, .seconds(60), .seconds(300)]))
    let now = Timestamp(microseconds: 1_000_000_000_000)

    @Test func acceptedIsSentAndRefusedAddressesAreMarked() {
        let unknown = RefusedRecipient(address: "gone@example.com", code: 550, reply: "5.1.1 no such user")
        let policy = RefusedRecipient(address: "x@example.com", code: 554, reply: "5.7.1 relay access denied")
        let outcome = sending.outcome(of: .accepted(reply: "250 2.0.0 ok", refused: [unknown, policy]), mailID: "m", attemptsBefore: 0, now: now)
        #expect(outcome.status == .sent)
        #expect(outcome.undeliverable == [unknown])
        #expect(outcome.note?.contains("gone@example.com") == true)
    }

    @Test func refusalsAreFinalOnlyWhenPermanent() {
        let unknown = RefusedRecipient(address: "gone@example.com", code: 550, reply: "5.1.1 no such user")
        let bounced = sending.outcome(of: .refused(stage: .recipients, code: 550, reply: "5.1.1 no such user", recipients: [unknown]),
                                      mailID: "m", attemptsBefore: 0, now: now)
        #expect(bounced.status == .bounced)
        #expect(bounced.undeliverable == [unknown])
        #expect(bounced.nextAttempt == nil)

        let tooBig = sending.outcome(of: .refused(stage: .end, code: 552, reply: "5.3.4 too big", recipients: []), mailID: "m", attemptsBefore: 0, now: now)
        #expect(tooBig.status == .failed)
        #expect(tooBig.undeliverable.isEmpty)

        let later = sending.outcome(of: .refused(stage: .data, code: 451, reply: "4.3.0 later", recipients: []), mailID: "m", attemptsBefore: 0, now: now)
        #expect(later.status == .deferred)
        #expect(later.nextAttempt == now.adding(.seconds(60)))
    }

    @Test func aRelayThatCannotBeReachedIsTriedUntilTheScheduleEnds() {
        let second = sending.outcome(of: .notDelivered(stage: .authentication, reason: "535 5.7.8 bad credentials"), mailID: "m",
                                     attemptsBefore: 1, now: now)
        #expect(second.status == .deferred)
        #expect(second.nextAttempt == now.adding(.seconds(300)))
        #expect(second.note == "authentication: 535 5.7.8 bad credentials")
        let last = sending.outcome(of: .notDelivered(stage: .connect, reason: "refused"), mailID: "m", attemptsBefore: 2, now: now)
        #expect(last.status == .failed)
        #expect(last.note?.hasPrefix("gave up after 3 attempts") == true)
    }

    @Test func noAnswerAfterTheEndIsNeverSentAgain() {
        let outcome = sending.outcome(of: .unanswered(reason: "closed"), mailID: "m", attemptsBefore: 0, now: now)
        #expect(outcome.status == .unconfirmed)
        #expect(outcome.nextAttempt == nil)
        #expect(!outcome.status.isWaiting)
    }

    @Test func badAddressesAreTheOnesTheReplyBlames() {
        #expect(RefusedRecipient(address: "a", code: 550, reply: "5.1.1 unknown").isBadAddress)
        #expect(RefusedRecipient(address: "a", code: 553, reply: "mailbox name not allowed").isBadAddress)
        #expect(!RefusedRecipient(address: "a", code: 550, reply: "5.7.1 relaying denied").isBadAddress)
        #expect(!RefusedRecipient(address: "a", code: 450, reply: "4.1.1 try later").isBadAddress)
        #expect(!RefusedRecipient(address: "a", code: 554, reply: "transaction failed").isBadAddress)
    }
}
