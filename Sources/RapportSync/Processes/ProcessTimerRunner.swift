import Foundation
import Logging
import RapportCore
import RapportStore
import ServiceLifecycle

/// Fires processes' timers when they are due on the store's clock (a timer catch event's wait).
/// One node at a time does it (a lease taken in the same transaction as the firing), so a timer
/// fires once however many nodes run, and a timer missed while no node ran fires at the next look.
public struct ProcessTimerRunner: Service {
    static let leaseName = "process-timers"

    let store: Store
    let processes: any ProcessStore
    let events: any EventStore
    let logger: Logger
    /// The longest time between looks: the lateness a timer scheduled less than this ahead may
    /// have (one due later is looked for at its time).
    let interval: Duration
    let clock: any Clock<Duration>
    let node = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    public init(store: Store, logger: Logger, interval: Duration = .milliseconds(250), clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.processes = store.processes
        self.events = store.events
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await store.waitUntilSchemaIsCurrent(clock: clock)
            while !Task.isCancelled {
                var pause = interval
                do {
                    // A full batch means more are due: look again at once.
                    if try await look() == Self.batch { continue }
                    // The next timer due within the interval: sleep until it, not a whole interval.
                    if let due = try await processes.nextTimerDue() {
                        let micros = max(0, due.microseconds - processes.now().microseconds)
                        pause = min(interval, .microseconds(micros))
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("process timers failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                do { try await clock.sleep(for: pause) } catch { return }
            }
        }
    }

    static let batch = 500

    /// Fires the timers due at the store's time; how many fired. A look with nothing due reads
    /// only, so an idle server does not write four times a second.
    @discardableResult
    public func look() async throws -> Int {
        guard let due = try await processes.nextTimerDue(), due <= processes.now() else { return 0 }
        let lease = max(interval * 4, .seconds(5))
        return try await store.write { tx in
            let now = tx.now()
            guard try await events.claimConsumerLease(Self.leaseName, owner: node, until: now.adding(lease), in: tx) else { return 0 }
            return try await processes.fireDueTimers(at: now, limit: Self.batch, in: tx)
        }
    }
}
