/// Where an outgoing email stands.
public enum MailDeliveryStatus: String, Sendable, CaseIterable {
    /// Waiting for its first attempt.
    case queued
    /// A temporary failure; it is tried again at `next_attempt_at`.
    case deferred
    /// The relay took it.
    case sent
    /// Refused for good for its recipients (at the relay, or by a delivery report that came back).
    case bounced
    /// The relay refused the message itself, or the attempts ran out.
    case failed
    /// The end of the message went to the relay and no answer came back (a crash or a lost
    /// connection): the relay probably has it. It is not sent again by itself, so never twice;
    /// an agent may send it again.
    case unconfirmed

    /// Whether the queue still owes it an attempt.
    public var isWaiting: Bool { self == .queued || self == .deferred }
}

/// A recipient the relay refused, with its answer.
public struct RefusedRecipient: Sendable, Equatable {
    public var address: String
    public var code: Int
    public var reply: String

    public init(address: String, code: Int, reply: String) {
        self.address = address
        self.code = code
        self.reply = reply
    }

    /// Whether the refusal is about the address itself (RFC 3463 `5.1.x`, or 550/551/553 without
    /// an enhanced code) rather than a policy or a fault of the relay's: only these mark it
    /// undeliverable on the customer.
    public var isBadAddress: Bool {
        guard code >= 500 else { return false }
        let enhanced = reply.split(separator: " ").first.map(String.init) ?? ""
        let parts = enhanced.split(separator: ".")
        if parts.count == 3, parts.allSatisfy({ Int($0) != nil }) { return parts[0] == "5" && parts[1] == "1" }
        return [550, 551, 553].contains(code)
    }
}

/// The steps of handing a message to a relay, for saying where one failed.
public enum SubmissionStage: String, Sendable {
    case connect, greeting, hello, tls, authentication, sender, recipients, data, end
}

/// What one attempt to hand a message to the relay came to, as the client saw it.
public enum SubmissionResult: Sendable, Equatable {
    /// The relay took the message for the recipients it accepted; `refused` it would not take.
    case accepted(reply: String, refused: [RefusedRecipient])
    /// The relay answered a step with a refusal (`code`); at `recipients`, every recipient was refused.
    case refused(stage: SubmissionStage, code: Int, reply: String, recipients: [RefusedRecipient])
    /// No connection, no TLS or no authentication, or a fault before the end of the message: the
    /// relay does not have it.
    case notDelivered(stage: SubmissionStage, reason: String)
    /// The end of the message was sent and the answer never came.
    case unanswered(reason: String)
}

/// What an attempt means for its message: its new status, when it is tried again, what to show,
/// and which addresses turned out undeliverable.
public struct MailAttemptOutcome: Sendable, Equatable {
    public var mailID: String
    public var status: MailDeliveryStatus
    public var nextAttempt: Timestamp?
    /// The relay's last answer or the error, for the agent to read.
    public var note: String?
    public var undeliverable: [RefusedRecipient]

    public init(mailID: String, status: MailDeliveryStatus, nextAttempt: Timestamp?, note: String?, undeliverable: [RefusedRecipient]) {
        self.mailID = mailID
        self.status = status
        self.nextAttempt = nextAttempt
        self.note = note
        self.undeliverable = undeliverable
    }
}

/// The outgoing queue's decisions, as pure functions: what an attempt's result means for its
/// message. The sender performs them; it decides nothing itself.
public struct MailSending: Sendable, Equatable {
    public var schedule: RetrySchedule

    public init(schedule: RetrySchedule) {
        self.schedule = schedule
    }

    /// The standard schedule for mail: at once, then after 1, 5, 15 and 30 minutes, 1, 2, 4 and
    /// 8 hours, and every 12 hours up to about three days, as mail servers retry.
    public static let standardSchedule = RetrySchedule(delays: [
        .zero, .seconds(60), .seconds(300), .seconds(900), .seconds(1_800), .seconds(3_600), .seconds(7_200),
        .seconds(14_400), .seconds(28_800), .seconds(43_200), .seconds(43_200), .seconds(43_200), .seconds(43_200),
    ])

    /// Attempt number `attemptsBefore + 1` of `mailID` came to `result` at `now`.
    public func outcome(of result: SubmissionResult, mailID: String, attemptsBefore: Int, now: Timestamp) -> MailAttemptOutcome {
        func note(_ text: String) -> String { String(text.prefix(500)) }
        switch result {
        case .accepted(let reply, let refused):
            let summary = refused.isEmpty ? reply : reply + "; refused " + refused.map { "\($0.address) (\($0.code) \($0.reply))" }.joined(separator: ", ")
            return MailAttemptOutcome(mailID: mailID, status: .sent, nextAttempt: nil, note: note(summary),
                                      undeliverable: refused.filter(\.isBadAddress))
        case .refused(let stage, let code, let reply, let recipients):
            if code < 500 { return retry("\(stage.rawValue): \(code) \(reply)") }
            let status: MailDeliveryStatus = stage == .recipients ? .bounced : .failed
            return MailAttemptOutcome(mailID: mailID, status: status, nextAttempt: nil, note: note("\(stage.rawValue): \(code) \(reply)"),
                                      undeliverable: recipients.filter(\.isBadAddress))
        case .notDelivered(let stage, let reason):
            // A relay that refuses the login or the TLS is a setting to mend, not the message's fault: it waits.
            return retry("\(stage.rawValue): \(reason)")
        case .unanswered(let reason):
            return MailAttemptOutcome(mailID: mailID, status: .unconfirmed, nextAttempt: nil,
                                      note: note("no answer after the end of the message (\(reason)); not sent again, so never twice"),
                                      undeliverable: [])
        }

        func retry(_ text: String) -> MailAttemptOutcome {
            guard let delay = schedule.delay(beforeAttempt: attemptsBefore + 2) else {
                return MailAttemptOutcome(mailID: mailID, status: .failed, nextAttempt: nil,
                                          note: note("gave up after \(attemptsBefore + 1) attempts; last: \(text)"), undeliverable: [])
            }
            return MailAttemptOutcome(mailID: mailID, status: .deferred, nextAttempt: now.adding(delay), note: note(text), undeliverable: [])
        }
    }
}
