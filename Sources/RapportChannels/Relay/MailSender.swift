import Foundation
import Logging
import RapportCore
import RapportStore
import ServiceLifecycle

/// Sends the outgoing mail queue through the relay: leases due messages (each to one node),
/// hands each to the relay, and records what came of it — sent, deferred on the retry schedule,
/// bounced, failed, or unconfirmed when the relay's answer to the end never came.
///
/// Never twice: before the end of a message goes out, that it is being handed over commits
/// (`markHandingOver`, which also fails when this node lost the lease to another); a message
/// found handing over by a node that died is `unconfirmed`, not sent again.
public actor MailSender: Service {
    let store: Store
    let outbox: any MailOutboxStore
    let events: any EventStore
    let submission: RelaySubmission
    let sending: MailSending
    let logger: Logger
    let clock: any Clock<Duration>
    let now: @Sendable () -> Timestamp
    /// How long a lease holds before another node may take the message; a node that lost it
    /// cannot hand the message over (`markHandingOver` refuses), so a short lease costs at most
    /// a wasted connection.
    let lease: Duration
    let node = "node-" + String(UUID().uuidString.prefix(8)).lowercased()
    /// Connections to the relay at once from this node.
    static let maxInFlight = 8
    private var inFlight = 0

    /// Fails when the trusted certificates cannot be read, so `serve` refuses to start.
    public init(store: Store, relay: RelayConfiguration, schedule: RetrySchedule, logger: Logger, lease: Duration = .seconds(30),
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }, clock: any Clock<Duration> = ContinuousClock()) throws {
        self.store = store
        self.outbox = store.mailOutbox
        self.events = store.events
        self.submission = try RelaySubmission(relay: relay)
        self.sending = MailSending(schedule: schedule)
        self.logger = logger
        self.lease = lease
        self.now = now
        self.clock = clock
    }

    public func run() async throws {
        do {
            try await runUntilShutdown()
        } catch is CancellationError {
        }
    }

    private func runUntilShutdown() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            self.logger.info("mail sender running", metadata: ["relay": "\(self.submission.relay.host):\(self.submission.relay.port)",
                                                              "security": "\(self.submission.relay.security.rawValue)", "node": "\(self.node)"])
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    do {
                        let head = try await self.events.eventLogHead()
                        let due = try await self.leaseDue()
                        for mail in due { group.addTask { await self.send(mail) } }
                        if !due.isEmpty { continue }
                        // A queued reply commits an event and wakes the loop; retries fall due with time.
                        await self.events.waitForCommit(after: head, timeout: .seconds(1))
                    } catch is CancellationError {
                        break
                    } catch {
                        self.logger.error("mail sending failed", metadata: ["error": "\(String(reflecting: error))"])
                        try? await self.clock.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }

    /// Leases the due messages there is room for; each counts as in flight until its outcome is recorded.
    private func leaseDue() async throws -> [QueuedMail] {
        let room = Self.maxInFlight - inFlight
        guard room > 0, try await outbox.hasDueMail() else { return [] }
        let owner = node, until = now().adding(lease)
        let due = try await store.write { tx in try await self.outbox.leaseDueMail(owner: owner, until: until, limit: room, in: tx) }
        inFlight += due.count
        return due
    }

    private func send(_ mail: QueuedMail) async {
        let outbox = self.outbox, store = self.store, owner = node, now = self.now, lease = self.lease, clock = self.clock
        // The lease stays short, so that after a crash another node soon finds what this one
        // held (and what it was handing over becomes unconfirmed); while the attempt lasts it is
        // renewed every third of its length.
        let result = await withTaskGroup(of: SubmissionResult?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await clock.sleep(for: lease / 3)
                    if Task.isCancelled { break }
                    try? await store.write { tx in try await outbox.renewMailLease(mail.mailID, owner: owner, until: now().adding(lease), in: tx) }
                }
                return nil
            }
            group.addTask {
                await self.submission.submit(mail.raw, from: mail.envelopeFrom, to: mail.recipients) {
                    try await store.write { tx in
                        try await outbox.markHandingOver(mail.mailID, owner: owner, until: now().adding(lease), in: tx)
                    }
                }
            }
            var outcome: SubmissionResult?
            for await finished in group {
                if let finished {
                    outcome = finished
                    group.cancelAll()
                }
            }
            return outcome ?? .notDelivered(stage: .connect, reason: "cancelled")
        }
        let outcome = sending.outcome(of: result, mailID: mail.mailID, attemptsBefore: mail.attempts, now: now())
        if outcome.status != .sent {
            logger.warning("mail not sent", metadata: ["mail": "\(mail.mailID)", "status": "\(outcome.status.rawValue)",
                                                       "note": "\(outcome.note ?? "")"])
        }
        do {
            try await store.write { tx in try await outbox.recordMailOutcomes([outcome], owner: owner, in: tx) }
        } catch {
            // The lease lapses; a message not handed over is sent again, one handed over becomes unconfirmed.
            logger.error("mail outcome failed to record", metadata: ["mail": "\(mail.mailID)", "error": "\(error)"])
        }
        inFlight -= 1
    }
}
