import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Consumers that need a few event types read only those, and still know how far they got.
@Suite struct EventWindowTests {
    let actor = Actor(kind: .system, id: nil)

    @Test("a filtered read returns the matching types in order and covers the log to its head, or to its last event when full",
          arguments: Backend.available)
    func filteredWindows(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let start = try await store.events.eventLogHead()
            try await store.write { tx in
                for type in ["rapport.a.created", "rapport.b.created", "rapport.queue.updated", "rapport.b.created",
                             "rapport.a.created", "rapport.queued.x", "rapport.b.created"] {
                    tx.append(EventDraft(type: type, subject: "s", data: [:]))
                }
            }
            let head = try await store.events.eventLogHead()
            #expect(head == start + 7)
            let filter = EventTypeFilter(types: ["rapport.a.created"], prefixes: ["rapport.queue."])
            #expect(filter.matches("rapport.queue.updated") && !filter.matches("rapport.queued.x"))
            let all = try await store.events.events(after: start, limit: 10, matching: filter)
            #expect(all.events.map(\.type) == ["rapport.a.created", "rapport.queue.updated", "rapport.a.created"])
            #expect(all.events.map(\.sequence) == [start + 1, start + 3, start + 5])
            #expect(all.reached == head, "fewer than the limit: every event up to the head was looked at")
            let full = try await store.events.events(after: start, limit: 2, matching: filter)
            #expect(full.events.map(\.sequence) == [start + 1, start + 3])
            #expect(full.reached == start + 3, "the limit reached: covered up to the last event returned")
            let none = try await store.events.events(after: start + 5, limit: 10, matching: filter)
            #expect(none.events.isEmpty)
            #expect(none.reached == head)
            let caughtUp = try await store.events.events(after: head, limit: 10, matching: filter)
            #expect(caughtUp.events.isEmpty && caughtUp.reached == head)
        }
    }
}
