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

    @Test("what a filtered read takes from memory is what the database holds: every field, data of every JSON kind",
          arguments: Backend.available)
    func memoryMatchesTheLog(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let start = try await store.events.eventLogHead()
            let data: JSONValue = [
                "text": "Grüße \"quoted\" \\ back\nslash 你好 \u{1F600}", "count": 42, "negative": -7, "ratio": 0.1, "whole": 3.0,
                "large": 1e21, "small": .double(.leastNonzeroMagnitude), "flag": true, "none": nil, "list": [1, "two", [3.5], ["k": "v"]], "empty": [:],
            ]
            try await store.write { tx in
                tx.append(EventDraft(type: "rapport.watched.created", subject: "cus_1", data: data))
                tx.append(EventDraft(type: "rapport.other.created", subject: "cus_2", data: [:]))
            }
            try await store.write { tx in tx.append(EventDraft(type: "rapport.watched.updated", subject: "cus_3", data: ["n": 1])) }
            let head = try await store.events.eventLogHead()
            let filter = EventTypeFilter(prefixes: ["rapport.watched."])
            let fromMemory = try #require(store.recentEvents.window(after: start, limit: 10, matching: filter, upTo: head))
            let fromLog = try await store.read { try await EventLog.window(after: start, limit: 10, filter: filter, on: $0) }
            #expect(fromMemory.events.count == 2)
            #expect(fromMemory.events == fromLog.events)
            #expect(fromMemory.reached == fromLog.reached)
            #expect(fromMemory.events.map { $0.data.jsonString } == fromLog.events.map { $0.data.jsonString })
            let read = try await store.events.events(after: start, limit: 10, matching: filter)
            #expect(read.events == fromLog.events && read.reached == head)
        }
    }

    @Test("a filtered read passes over this process's own commits of other types, and reads what another process or node committed between them",
          arguments: Backend.available)
    func passesOverOnlyItsOwnCommits(_ backend: Backend) async throws {
        try await Self.withTwoWriters(backend) { first, second, start in
            try await first.write { tx in tx.append(EventDraft(type: "rapport.other.created", subject: "s", data: [:])) }
            let own = try await first.events.events(after: start, limit: 10, matching: Self.watched)
            #expect(own.events.isEmpty && own.reached == start + 1)
            // Another writer's event of the watched type, then one more of this process's own.
            try await second.write { tx in tx.append(EventDraft(type: "rapport.watched.created", subject: "s", data: [:])) }
            try await first.write { tx in tx.append(EventDraft(type: "rapport.other.created", subject: "s", data: [:])) }
            let window = try await first.events.events(after: own.reached, limit: 10, matching: Self.watched)
            #expect(window.events.map(\.type) == ["rapport.watched.created"])
            #expect(window.events.map(\.sequence) == [start + 2])
            #expect(window.reached == start + 3)
        }
    }

    static let watched = EventTypeFilter(prefixes: ["rapport.watched."])

    /// Two stores writing one database (two processes, or two nodes), and the log's head before `body`.
    static func withTwoWriters(_ backend: Backend, _ body: @Sendable (Store, Store, Int64) async throws -> Void) async throws {
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { first in
                try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { second in
                    try await body(first, second, try await first.events.eventLogHead())
                }
            }
        }
    }

    @Test("whether a watched type committed since a position: no for its own commits of other types, yes for one of its own or another writer's",
          arguments: Backend.available)
    func hasEventsSince(_ backend: Backend) async throws {
        try await Self.withTwoWriters(backend) { first, second, start in
            let filter = Self.watched
            #expect(try await !first.events.hasEvents(after: start, upTo: start, matching: filter))
            for _ in 0..<3 {
                try await first.write { tx in tx.append(EventDraft(type: "rapport.other.created", subject: "s", data: [:])) }
            }
            #expect(try await !first.events.hasEvents(after: start, upTo: first.events.knownHead, matching: filter))
            try await first.write { tx in tx.append(EventDraft(type: "rapport.watched.created", subject: "s", data: [:])) }
            let own = first.events.knownHead
            #expect(try await first.events.hasEvents(after: start, upTo: own, matching: filter))
            #expect(try await !first.events.hasEvents(after: own, upTo: own, matching: filter))
            // Another writer's watched event between two of this process's own commits.
            try await second.write { tx in tx.append(EventDraft(type: "rapport.watched.updated", subject: "s", data: [:])) }
            try await first.write { tx in tx.append(EventDraft(type: "rapport.other.created", subject: "s", data: [:])) }
            #expect(try await first.events.hasEvents(after: own, upTo: first.events.knownHead, matching: filter))
            let last = first.events.knownHead
            try await first.write { tx in tx.append(EventDraft(type: "rapport.other.created", subject: "s", data: [:])) }
            #expect(try await !first.events.hasEvents(after: last, upTo: first.events.knownHead, matching: filter))
        }
    }
}

/// Commits of this process, as the writer hands them over, for the two kinds of memory of them.
private enum OwnCommits {
    static func commit(_ first: Int64, _ types: String...) -> [Event] {
        types.enumerated().map { offset, type in
            Event(sequence: first + Int64(offset), id: "evt_\(first + Int64(offset))", type: type, subject: "s", time: Timestamp(microseconds: 0), data: [:])
        }
    }

    static let filter = EventTypeFilter(types: ["rapport.customer.created"], prefixes: ["rapport.record."])
}

/// What this process committed, kept to be read from memory.
@Suite struct RecentEventsTests {
    let filter = OwnCommits.filter

    @Test("a stretch of its own commits is read from memory: the matching events in order, covered to the head or to the last when full")
    func known() throws {
        let recent = RecentEvents()
        recent.record(OwnCommits.commit(11, "rapport.interaction.created", "rapport.record.updated"))
        recent.record(OwnCommits.commit(13, "rapport.customer.created"))
        recent.record(OwnCommits.commit(14, "rapport.conversation.routed", "rapport.record.created"))
        let all = try #require(recent.window(after: 10, limit: 10, matching: filter, upTo: 15))
        #expect(all.events.map(\.sequence) == [12, 13, 15] && all.reached == 15)
        let full = try #require(recent.window(after: 10, limit: 2, matching: filter, upTo: 15))
        #expect(full.events.map(\.sequence) == [12, 13] && full.reached == 13)
        let middle = try #require(recent.window(after: 12, limit: 10, matching: filter, upTo: 14), "from the middle of a commit")
        #expect(middle.events.map(\.sequence) == [13] && middle.reached == 14, "nothing past the head it was given")
        let none = try #require(recent.window(after: 13, limit: 10, matching: filter, upTo: 14))
        #expect(none.events.isEmpty && none.reached == 14)
        #expect(recent.window(after: 9, limit: 10, matching: filter, upTo: 15) == nil, "event 10 is not one it knows")
        #expect(recent.window(after: 10, limit: 10, matching: filter, upTo: 16) == nil, "event 16 is not one it knows")
        #expect(recent.window(after: 15, limit: 10, matching: filter, upTo: 15) == nil, "nothing after the head")
    }

    @Test("a gap, or a commit that is not one run of sequences, sends reads that span it to the database")
    func unknown() throws {
        let recent = RecentEvents()
        recent.record(OwnCommits.commit(1, "rapport.interaction.created"))
        recent.record(OwnCommits.commit(2, "rapport.record.updated"))
        // 3 and 4 committed elsewhere.
        recent.record(OwnCommits.commit(5, "rapport.interaction.created"))
        #expect(recent.window(after: 1, limit: 10, matching: filter, upTo: 5) == nil, "a gap")
        #expect(try #require(recent.window(after: 4, limit: 10, matching: filter, upTo: 5)).reached == 5)
        recent.record(OwnCommits.commit(6, "rapport.record.created") + OwnCommits.commit(8, "rapport.record.created"))
        #expect(recent.window(after: 4, limit: 10, matching: filter, upTo: 5) == nil, "forgotten with the broken commit")
        recent.record(OwnCommits.commit(9, "rapport.record.updated"))
        #expect(try #require(recent.window(after: 8, limit: 10, matching: filter, upTo: 9)).events.map(\.sequence) == [9])
        #expect(recent.window(after: 7, limit: 10, matching: filter, upTo: 9) == nil)
    }

    @Test("only the latest events are kept")
    func kept() {
        let recent = RecentEvents(limit: 4)
        for sequence in Int64(1)...20 { recent.record(OwnCommits.commit(sequence, "rapport.record.created")) }
        #expect(recent.window(after: 0, limit: 100, matching: filter, upTo: 20) == nil)
        #expect(recent.window(after: 16, limit: 100, matching: filter, upTo: 20)?.events.map(\.sequence) == [17, 18, 19, 20])
    }
}

/// What this process committed, by type, known without reading the log.
@Suite struct RecentCommitTypesTests {
    let filter = OwnCommits.filter

    @Test("a stretch of its own commits without a watched type is known to hold none")
    func known() {
        let recent = RecentCommitTypes()
        recent.record(OwnCommits.commit(11, "rapport.interaction.created", "rapport.conversation.updated"))
        recent.record(OwnCommits.commit(13, "rapport.interaction.created"))
        recent.record(OwnCommits.commit(14, "rapport.conversation.routed", "rapport.interaction.created"))
        #expect(recent.surelyNone(after: 10, upTo: 15, matching: filter))
        #expect(recent.surelyNone(after: 12, upTo: 14, matching: filter), "from the middle of a commit")
        #expect(!recent.surelyNone(after: 9, upTo: 15, matching: filter), "event 10 is not one it knows")
        #expect(!recent.surelyNone(after: 10, upTo: 16, matching: filter), "event 16 is not one it knows")
        #expect(!recent.surelyNone(after: 15, upTo: 15, matching: filter), "nothing after the head")
    }

    @Test("a watched type, a gap or a commit that is not one run of sequences makes it read")
    func unknown() {
        let recent = RecentCommitTypes()
        recent.record(OwnCommits.commit(1, "rapport.interaction.created"))
        recent.record(OwnCommits.commit(2, "rapport.record.updated"))
        recent.record(OwnCommits.commit(3, "rapport.interaction.created"))
        // 4 and 5 committed elsewhere.
        recent.record(OwnCommits.commit(6, "rapport.interaction.created"))
        recent.record(OwnCommits.commit(7, "rapport.interaction.created") + OwnCommits.commit(9, "rapport.interaction.created"))
        recent.record(OwnCommits.commit(10, "rapport.interaction.created"))
        #expect(!recent.surelyNone(after: 0, upTo: 3, matching: filter), "a prefix match")
        #expect(recent.surelyNone(after: 2, upTo: 3, matching: filter))
        #expect(!recent.surelyNone(after: 2, upTo: 6, matching: filter), "a gap")
        #expect(recent.surelyNone(after: 5, upTo: 6, matching: filter))
        #expect(!recent.surelyNone(after: 6, upTo: 10, matching: filter), "events 7 to 9 were not kept")
    }

    @Test("only the latest commits are kept")
    func kept() {
        let recent = RecentCommitTypes(kept: 4)
        for sequence in Int64(1)...20 { recent.record(OwnCommits.commit(sequence, "rapport.interaction.created")) }
        #expect(!recent.surelyNone(after: 0, upTo: 20, matching: filter))
        #expect(recent.surelyNone(after: 16, upTo: 20, matching: filter))
    }
}
