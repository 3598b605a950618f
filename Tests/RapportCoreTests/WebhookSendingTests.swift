import RapportCore
import Testing

/// The sender's lease and retry decisions, without a database, a network or a clock.
@Suite("Webhooks: sending decisions")
struct WebhookSendingTests {
    let sending = WebhookSending(schedule: RetrySchedule(delays: [.zero, .seconds(5), .seconds(300)]),
                                 lease: .seconds(8), maxInFlight: 4)
    let now = Timestamp(microseconds: 1_700_000_000_000_000)

    @Test("a node leases what it has room for, until the lease ends; a full node leases nothing")
    func leaseWindow() {
        let window = sending.leaseWindow(inFlight: 1, now: now)
        #expect(window?.room == 3)
        #expect(window?.until == Timestamp(microseconds: now.microseconds + 8_000_000))
        #expect(sending.leaseWindow(inFlight: 4, now: now) == nil)
        #expect(sending.leaseWindow(inFlight: 9, now: now) == nil)
    }

    @Test("2xx delivers and keeps no note")
    func delivered() {
        let attempt = sending.attempt(of: "dlv_1", attemptsBefore: 0, status: 204, retryAfter: nil, note: "ok",
                                      latencyMilliseconds: 12, now: now)
        #expect(attempt == WebhookAttempt(deliveryID: "dlv_1", status: .delivered, nextAttempt: nil, httpStatus: 204,
                                          latencyMilliseconds: 12, error: nil, disableReason: nil))
    }

    @Test("410 Gone ends the delivery and disables the subscription")
    func gone() {
        let attempt = sending.attempt(of: "dlv_1", attemptsBefore: 1, status: 410, retryAfter: nil, note: "bye",
                                      latencyMilliseconds: 3, now: now)
        #expect(attempt.status == .failed)
        #expect(attempt.nextAttempt == nil)
        #expect(attempt.disableReason?.contains("410") == true)
    }

    @Test("a failure is retried on the schedule, and Retry-After lengthens the wait but never shortens it")
    func retried() {
        let failed = sending.attempt(of: "d", attemptsBefore: 0, status: 500, retryAfter: nil, note: nil, latencyMilliseconds: 1, now: now)
        #expect(failed.status == .pending)
        #expect(failed.nextAttempt == now.adding(.seconds(5)))
        let noAnswer = sending.attempt(of: "d", attemptsBefore: 1, status: nil, retryAfter: nil, note: "connection refused",
                                       latencyMilliseconds: 1, now: now)
        #expect(noAnswer.nextAttempt == now.adding(.seconds(300)))
        #expect(noAnswer.error == "connection refused")
        let longer = sending.attempt(of: "d", attemptsBefore: 0, status: 429, retryAfter: "120", note: nil, latencyMilliseconds: 1, now: now)
        #expect(longer.nextAttempt == now.adding(.seconds(120)))
        let shorter = sending.attempt(of: "d", attemptsBefore: 1, status: 503, retryAfter: "1", note: nil, latencyMilliseconds: 1, now: now)
        #expect(shorter.nextAttempt == now.adding(.seconds(300)))
    }

    @Test("the last scheduled attempt's failure leaves a dead letter with the answer's start")
    func deadLetter() {
        let attempt = sending.attempt(of: "d", attemptsBefore: 2, status: 502, retryAfter: nil,
                                      note: String(repeating: "x", count: 800), latencyMilliseconds: 1, now: now)
        #expect(attempt.status == .failed)
        #expect(attempt.nextAttempt == nil)
        #expect(attempt.disableReason == nil)
        #expect(attempt.error?.count == 500)
    }
}
