import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Routing store: the fingerprint routing's caches check")
struct RoutingStoreTests {
    let actor = Actor(kind: .apiKey, id: "key_test")

    @Test("each acknowledged change to what routing caches moves the fingerprint; reads do not", arguments: Backend.available)
    func fingerprintFollowsChanges(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let routing = store.routing
            let start = try await routing.routingFingerprint()
            _ = try await routing.keywordSets()
            #expect(try await routing.routingFingerprint() == start)

            _ = try await store.write { tx in
                try await routing.saveKeywordSet(name: "refunds", wholeWords: true, terms: ["refund"], actor: actor, in: tx)
            }
            let afterSet = try await routing.routingFingerprint()
            #expect(afterSet.keywordSets != start.keywordSets)
            #expect(afterSet.classifierVersion == start.classifierVersion)

            try await store.write { tx in try await routing.setRoutingSettings(RoutingSettings(), actor: actor, in: tx) }
            let afterSettings = try await routing.routingFingerprint()
            #expect(afterSettings.settings != afterSet.settings)

            _ = try await store.write { tx in
                try await store.organization.insertChannel(kind: .chat, name: "chat", settings: [:], actor: actor, in: tx)
            }
            let afterChannel = try await routing.routingFingerprint()
            #expect(afterChannel.organization != afterSettings.organization)

            try await store.write { tx in try await routing.deleteKeywordSet(name: "refunds", actor: actor, in: tx) }
            #expect(try await routing.routingFingerprint().keywordSets != afterChannel.keywordSets)
        }
    }
}
