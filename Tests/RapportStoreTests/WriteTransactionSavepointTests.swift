import Foundation
import RapportCore
import RapportStore
import RapportTestSupport
import Synchronization
import Testing

/// Optional work inside a batch's transaction (routing at ingest): a savepoint undoes it alone
/// when it fails; what runs after commit runs only for a commit; on SQLite the events a
/// transaction has appended can be numbered before it commits.
@Suite("Store: savepoints, after-commit actions and numbered pending events") struct WriteTransactionSavepointTests {
    let actor = Actor(kind: .system, id: nil)

    struct Refused: Error {}

    @Test("a failed attempt undoes its rows and events, the transaction goes on; a successful one keeps them",
          arguments: Backend.available)
    func attempts(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let outcome = try await store.write { tx -> (failed: Bool, succeeded: Bool) in
                _ = try await store.customers.createCustomer(NewCustomer(name: "Kept before"), actor: actor, in: tx)
                let failed = try await tx.attempt("undone") { tx in
                    _ = try await store.customers.createCustomer(NewCustomer(name: "Undone"), actor: actor, in: tx)
                    tx.append(EventDraft(type: "rapport.test.undone", subject: "s", data: [:]))
                    throw Refused()
                }
                let succeeded = try await tx.attempt("kept") { tx in
                    _ = try await store.customers.createCustomer(NewCustomer(name: "Kept inside"), actor: actor, in: tx)
                }
                _ = try await store.customers.createCustomer(NewCustomer(name: "Kept after"), actor: actor, in: tx)
                return (failed is Refused, succeeded == nil)
            }
            #expect(outcome.failed && outcome.succeeded)
            let names = try await store.customers.customers(matching: CustomerFilter(), limit: 10, cursor: nil).items.map(\.name)
            #expect(Set(names) == ["Kept before", "Kept inside", "Kept after"])
            let events = try await store.events.events(after: 0, limit: 100)
            #expect(events.map(\.type) == Array(repeating: "rapport.customer.created", count: 3))
            #expect(events.map(\.sequence) == [1, 2, 3], "no gap where the undone event was")
        }
    }

    @Test("after-commit actions run once a transaction commits, never for a rolled-back one or a rehearsal",
          arguments: Backend.available)
    func afterCommit(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let ran = Atomic<Int>(0)
            try await store.write { tx in
                tx.append(EventDraft(type: "rapport.test.kept", subject: "s", data: [:]))
                tx.afterCommit { ran.add(1, ordering: .relaxed) }
            }
            #expect(ran.load(ordering: .relaxed) == 1)
            await #expect(throws: Refused.self) {
                try await store.write { tx in
                    tx.append(EventDraft(type: "rapport.test.rolled_back", subject: "s", data: [:]))
                    tx.afterCommit { ran.add(10, ordering: .relaxed) }
                    throw Refused()
                }
            }
            _ = try await store.rehearse { tx in
                tx.append(EventDraft(type: "rapport.test.rehearsed", subject: "s", data: [:]))
                tx.afterCommit { ran.add(100, ordering: .relaxed) }
            }
            #expect(ran.load(ordering: .relaxed) == 1)
        }
    }

    @Test("on SQLite the pending events are numbered as they are then stored; on PostgreSQL they are not numbered early",
          arguments: Backend.available)
    func numberedPendingEvents(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            try await store.write { tx in tx.append(EventDraft(type: "rapport.test.first", subject: "s", data: [:])) }
            let numbered = try await store.write { tx -> [Event]? in
                tx.append(EventDraft(type: "rapport.test.second", subject: "s", data: ["n": 2]))
                tx.append(EventDraft(type: "rapport.test.third", subject: "s", data: ["n": 3]))
                guard let (head, events) = try await tx.pendingEventsNumbered() else { return nil }
                #expect(head == 1)
                return events
            }
            let stored = try await store.events.events(after: 1, limit: 10)
            if backend == .sqlite {
                let numbered = try #require(numbered)
                #expect(numbered.map(\.sequence) == stored.map(\.sequence))
                #expect(numbered.map(\.id) == stored.map(\.id))
                #expect(numbered.map(\.data) == stored.map(\.data))
            } else {
                #expect(numbered == nil)
            }
        }
    }
}
