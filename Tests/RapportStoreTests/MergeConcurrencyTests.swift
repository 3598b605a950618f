import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Merges that overlap, run at once from several nodes, never lose or duplicate an interaction:
/// each interaction ends on exactly one customer that stands (is not absorbed), and every
/// identity likewise.
@Suite struct MergeConcurrencyTests {
    let actor = Actor(kind: .system, id: nil)

    @Test(arguments: Backend.available)
    func overlappingMergesKeepEveryInteractionOnce(_ backend: Backend) async throws {
        let customers = 12
        let interactionsEach = 5
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { first in
                let channel = try await first.write { tx in
                    try await first.organization.insertChannel(kind: .api, name: "merge-load", settings: [:], actor: actor, in: tx)
                }
                var ids: [String] = []
                for index in 0..<customers {
                    for message in 0..<interactionsEach {
                        let new = NewInteraction(channelID: channel.id,
                                                 party: .identity(Identity(kind: .email, value: "c\(index)@example.com")),
                                                 externalID: "c\(index)-m\(message)")
                        let result = try await first.write { tx in try await first.interactions.ingestInteraction(new, actor: actor, in: tx) }
                        if message == 0 { ids.append(result.interaction.customerID) }
                    }
                }
                let allIDs = ids
                // Every ordered pair of neighbours, in both directions, from three nodes at once:
                // many of these collide on the same customers.
                var plans: [(String, String)] = []
                for index in 0..<customers {
                    plans.append((allIDs[index], allIDs[(index + 1) % customers]))
                    plans.append((allIDs[(index + 1) % customers], allIDs[index]))
                    plans.append((allIDs[index], allIDs[(index + 5) % customers]))
                }
                let allPlans = plans
                let outcomes = Tally()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for node in 0..<3 {
                        group.addTask {
                            try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { store in
                                try await withThrowingTaskGroup(of: Void.self) { merges in
                                    for (index, plan) in allPlans.enumerated() where index % 3 == node {
                                        merges.addTask {
                                            do {
                                                _ = try await store.write { tx in
                                                    try await store.merges.mergeCustomers(into: plan.0, absorbing: [plan.1], overrides: nil, actor: actor, in: tx)
                                                }
                                                outcomes.increment()
                                            } catch let error as StoreError where error.code == .merged || error.code == .notFound {
                                                // The survivor or the absorbed one was absorbed meanwhile.
                                            }
                                        }
                                    }
                                    try await merges.waitForAll()
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(outcomes.value > 0)
                try await first.read { database in
                    let standing = Set(try await database.raw("SELECT id FROM customers WHERE merged_into IS NULL").all()
                        .map { try $0.decode(column: "id", as: String.self) })
                    #expect(standing.count == customers - outcomes.value)
                    let interactions = try await database.raw("SELECT id, customer_id FROM interactions").all()
                    #expect(interactions.count == customers * interactionsEach)
                    #expect(Set(try interactions.map { try $0.decode(column: "id", as: String.self) }).count == interactions.count)
                    for row in interactions {
                        #expect(standing.contains(try row.decode(column: "customer_id", as: String.self)))
                    }
                    let identities = try await database.raw("SELECT customer_id FROM identities").all()
                    #expect(identities.count == customers)
                    for row in identities {
                        #expect(standing.contains(try row.decode(column: "customer_id", as: String.self)))
                    }
                }
            }
        }
    }
}
