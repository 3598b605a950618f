import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// The batch lookups of ingest and threading run once per group commit over every row of the
/// batch: each must probe an index per wanted row, never scan the table (its cost would grow
/// with the table). An inbox page likewise reads its order index in order, never sorting a whole
/// department's (queue's, assignee's) conversations.
@Suite struct BatchLookupPlanTests {
    /// SQLite's plan for `query`, one line per step.
    static func plan(_ query: SQLQueryString, on store: Store) async throws -> [String] {
        try await store.read { database in
            try await database.raw("EXPLAIN QUERY PLAN " + query).all().map { try $0.decode(column: "detail", as: String.self) }
        }
    }

    /// Every step that reads `table` (by its alias) searches an index; none scans it.
    static func expectIndexed(_ steps: [String], alias: String, _ comment: Comment) {
        #expect(steps.contains { $0.hasPrefix("SEARCH \(alias) USING") }, comment)
        #expect(!steps.contains { $0.hasPrefix("SCAN \(alias)") }, comment)
    }

    @Test("identity holders, stored external ids and threading candidates are read through indexes on SQLite")
    func lookupsUseIndexes() async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            let identities = [Identity(kind: .email, value: "a@example.com"), Identity(kind: .phone, value: "+15550100")]
            Self.expectIndexed(try await Self.plan(BatchLookups.holdersQuery(identities), on: store), alias: "i", "identity holders")
            let keys = [ExternalKey(channelID: "chn_1", externalID: "m-1"), ExternalKey(channelID: "chn_1", externalID: "m-2")]
            Self.expectIndexed(try await Self.plan(BatchLookups.storedInteractionsQuery(keys), on: store), alias: "i", "stored external ids")
            let threads = [(channelID: "chn_1", threadKey: "T-1"), (channelID: "chn_2", threadKey: "T-2")]
            Self.expectIndexed(try await Self.plan(SQLConversationStore.keyedCandidatesQuery(threads), on: store), alias: "c", "thread keys")
            let parties = [(customerID: "cus_1", channelID: "chn_1"), (customerID: "cus_2", channelID: "chn_1")]
            let recent = try await Self.plan(SQLConversationStore.recentCandidatesQuery(parties, since: 0), on: store)
            Self.expectIndexed(recent, alias: "c", "recent conversations")
            // The partial index of open unkeyed conversations: a customer's resolved ones are not read.
            #expect(recent.contains { $0.hasPrefix("SEARCH c USING INDEX conversations_customer_open") }, "\(recent)")
        }
    }

    @Test("an inbox of a department, a queue or an assignee is read in its order through the partial index of that column")
    func inboxesUseTheirOrderIndexes() async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            let cursor = ListCursor.encode(1_000, "cnv_1")
            let inboxes: [(ConversationFilter, String)] = [
                (ConversationFilter(departmentID: "dep_1"), "conversations_department_recent"),
                (ConversationFilter(departmentID: "dep_1", unassigned: true, statuses: [.open, .pending]), "conversations_department_recent"),
                (ConversationFilter(queueID: "que_1"), "conversations_queue_recent"),
                (ConversationFilter(assigneeID: "usr_1", statuses: [.open]), "conversations_assignee_recent"),
            ]
            for (filter, index) in inboxes {
                for page in [nil, cursor] {
                    let steps = try await Self.plan(try SQLConversationStore.inboxPageQuery(filter, limit: 50, cursor: page), on: store)
                    #expect(steps.contains { $0.hasPrefix("SEARCH conversations USING INDEX \(index) ") }, "\(filter): \(steps)")
                    // Read in the index's order: no sort of the department's (queue's, assignee's) conversations.
                    #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(filter): \(steps)")
                }
            }
            // Partial: a conversation without a department (queue, assignee) has no entry for
            // every message to move, and threading's index holds only open unkeyed conversations.
            let partial = try await store.read { database in
                try await database.raw("SELECT name FROM pragma_index_list('conversations') WHERE partial = 1").all()
                    .map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(Set(partial) == ["conversations_department_recent", "conversations_queue_recent", "conversations_assignee_recent",
                                     "conversations_customer_open"])
        }
    }
}
