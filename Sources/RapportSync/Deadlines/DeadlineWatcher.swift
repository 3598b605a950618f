import Foundation
import Logging
import RapportCore
import RapportStore
import ServiceLifecycle

/// Watches the clock for what people must not miss: a task's reminder time, a task past its due
/// time, a handoff whose time to answer lapsed (escalated), and the email digests that are due. One node at a time does it (a lease on the log's consumer table, taken in the same
/// transaction as the notices), so a notice goes out once however many nodes run.
public struct DeadlineWatcher: Service {
    static let leaseName = "deadline-watcher"

    let store: Store
    let tasks: any TaskStore
    let handoffs: any HandoffStore
    let events: any EventStore
    let notifications: any NotificationStore
    /// The host name in the Message-IDs of the digests.
    let mailHostname: String
    let logger: Logger
    /// Time between looks.
    let interval: Duration
    let clock: any Clock<Duration>
    let node = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    public init(store: Store, logger: Logger, mailHostname: String = "rapport.invalid", interval: Duration = .seconds(15),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.tasks = store.tasks
        self.handoffs = store.handoffs
        self.events = store.events
        self.notifications = store.notifications
        self.mailHostname = mailHostname
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await store.waitUntilSchemaIsCurrent(clock: clock)
            while !Task.isCancelled {
                do {
                    _ = try await look()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("deadline watch failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                // Cancelled (shutting down): the loop ends, not as an error.
                do { try await clock.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One look at the store's time: the notices that are due go out; how many.
    @discardableResult
    public func look() async throws -> Int {
        let lease = interval * 3
        return try await store.write { tx in
            let now = tx.now()
            guard try await events.claimConsumerLease(Self.leaseName, owner: node, until: now.adding(lease), in: tx) else { return 0 }
            let notices = try await tasks.sendDueNotices(at: now, limit: 500, in: tx)
            let escalated = try await handoffs.escalateLapsed(at: now, limit: 500, in: tx)
            return notices + escalated + (try await notifications.queueDueDigests(at: now, hostname: mailHostname, limit: 200, in: tx))
        }
    }
}
