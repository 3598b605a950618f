import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// A commit wakes the readers waiting for it: on this node directly, on other PostgreSQL nodes
/// through `LISTEN`/`NOTIFY`, long before any polling timeout.
@Suite struct CommitWakeupTests {
    let actor = Actor(kind: .system, id: nil)

    @Test(arguments: Backend.available)
    func aCommitWakesWaitersOnThisNode(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let head = try await store.events.eventLogHead()
            let elapsed = try await timeWaking(waiter: store, head: head) {
                _ = try await store.write { tx in try await store.organization.insertChannel(kind: .api, name: "wake-2", settings: [:], actor: actor, in: tx) }
            }
            #expect(elapsed < .seconds(2), "waited \(elapsed)")
        }
    }

    @Test(.enabled(if: Backend.postgresIsAvailable))
    func aCommitOnOneNodeWakesWaitersOnAnother() async throws {
        try await TestDatabases.withLocation(.postgres) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { writer in
                try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { listener in
                    // The listener learns the head as it starts listening.
                    _ = try await writer.write { tx in try await writer.organization.insertChannel(kind: .api, name: "wake", settings: [:], actor: actor, in: tx) }
                    let created = try await writer.events.eventLogHead()
                    try await waitUntil("the listener to learn head \(created); it knows \(listener.knownHead)") { listener.knownHead >= created }
                    #expect(listener.knownHead == created)
                    for round in 0..<5 {
                        let head = try await writer.events.eventLogHead()
                        let elapsed = try await timeWaking(waiter: listener, head: head) {
                            _ = try await writer.write { tx in
                                try await writer.organization.insertChannel(kind: .api, name: "wake-\(round)", settings: [:], actor: actor, in: tx)
                            }
                        }
                        #expect(elapsed < .seconds(2), "round \(round): waited \(elapsed)")
                        #expect(listener.knownHead == head + 1)
                    }
                }
            }
        }
    }

    /// How long after `commit` returned `waiter` woke from waiting for a commit after `head`
    /// (negative when it woke first; the wait times out after 10 s). Measured from the commit's end
    /// so that a slow write on a busy machine is not counted as a slow wake-up.
    private func timeWaking(waiter: Store, head: Int64, commit: @escaping @Sendable () async throws -> Void) async throws -> Duration {
        let before = waiter.commitWaiters
        async let wokeAt: ContinuousClock.Instant = {
            await waiter.waitForCommit(after: head, timeout: .seconds(10))
            return ContinuousClock.now
        }()
        // The commit comes once the waiter waits, so that the test measures a wake-up.
        try await waitUntil("the waiter to wait for a commit") { waiter.commitWaiters > before }
        try await commit()
        let committedAt = ContinuousClock.now
        return await wokeAt - committedAt
    }
}
