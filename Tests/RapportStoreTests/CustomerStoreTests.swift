import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Customer store: identities, versions and lists") struct CustomerStoreTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")
    let actor = Actor(kind: .apiKey, id: "key_test")

    @Test(arguments: Backend.available)
    func identityBelongsToOneCustomer(_ backend: Backend) async throws {
        let ana = try normalizer.parse("email:Ana@Example.com")
        try await TestDatabases.withStore(backend) { store in
            let first = try await store.write { tx in
                try await store.customers.createCustomer(NewCustomer(name: "Ana", identities: [ana]), actor: actor, in: tx)
            }
            let error = await #expect(throws: StoreError.self) {
                try await store.write { tx in
                    try await store.customers.createCustomer(NewCustomer(name: "Impostor", identities: [ana]), actor: actor, in: tx)
                }
            }
            #expect(error?.code == .conflict)
            #expect(error?.holderID == first.id)
            #expect(try await store.customers.customer(holding: ana)?.id == first.id)
        }
    }

    @Test("a customer created whole stores its versions in the compact form; changed, in full; read back the same", arguments: Backend.available)
    func wholeCustomerVersionsAreCompact(_ backend: Backend) async throws {
        let ana = try normalizer.parse("email:ana@example.com")
        try await TestDatabases.withStore(backend) { store in
            let created = try await store.write { tx in
                try await store.customers.createCustomer(NewCustomer(name: "Ana", identities: [ana], attributes: ["tier": "gold"]),
                                                         actor: actor, in: tx)
            }
            func storedVersions() async throws -> String {
                try await store.read { database in
                    try await database.raw("SELECT field_versions FROM customers WHERE id = \(bind: created.id)").first()!
                        .decode(column: "field_versions", as: String.self)
                }
            }
            #expect(try await storedVersions().hasPrefix(#"{"whole":{"#))
            let read = try await store.read { try await CustomerRows.findVersioned(id: created.id, on: $0) }
            #expect(read?.versions.registers["attributes.tier"] == read?.versions.registers["name"])
            #expect(read?.versions.identities[ana]?.added != nil)
            var patch = CustomerPatch()
            patch.name = "Ana Lima"
            let rename = patch
            _ = try await store.write { tx in
                try await store.customers.patchCustomer(id: created.id, patch: rename, expectedVersion: nil, actor: actor, in: tx)
            }
            #expect(try await storedVersions().hasPrefix(#"{"registers":"#))
            let changed = try await store.read { try await CustomerRows.findVersioned(id: created.id, on: $0) }
            #expect(changed?.versions.registers["kind"] == read?.versions.registers["kind"])
            #expect(changed?.versions.registers["name"] != read?.versions.registers["name"])
            #expect(changed?.versions.identities[ana] == read?.versions.identities[ana])
        }
    }

    @Test(arguments: Backend.available)
    func concurrentClaimsOfOneIdentityLeaveOneHolder(_ backend: Backend) async throws {
        let phone = try normalizer.parse("phone:030 1234567")
        try await TestDatabases.withStore(backend) { store in
            let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
                for index in 0..<25 {
                    group.addTask {
                        do {
                            return .success(try await store.write { tx in
                                try await store.customers.createCustomer(NewCustomer(name: "Caller \(index)", identities: [phone]), actor: actor, in: tx).id
                            })
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            for case .failure(let error) in outcomes {
                #expect((error as? StoreError)?.holderID == winners.first)
            }
        }
    }

    @Test(arguments: Backend.available)
    func staleVersionIsRefusedAndChangesNothing(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let customer = try await store.write { tx in
                try await store.customers.createCustomer(NewCustomer(name: "Ana", attributes: ["tier": "gold"]), actor: actor, in: tx)
            }
            var patch = CustomerPatch()
            patch.name = "Ana Lima"
            patch.attributes = ["tier": .null, "vip": true]
            let namePatch = patch
            let updated = try await store.write { tx in
                try await store.customers.patchCustomer(id: customer.id, patch: namePatch, expectedVersion: 1, actor: actor, in: tx)
            }
            #expect(updated.version == 2)
            #expect(updated.attributes == ["vip": true])
            var stale = CustomerPatch()
            stale.name = "Overwritten"
            let stalePatch = stale
            let error = await #expect(throws: StoreError.self) {
                try await store.write { tx in try await store.customers.patchCustomer(id: customer.id, patch: stalePatch, expectedVersion: 1, actor: actor, in: tx) }
            }
            #expect(error?.code == .preconditionFailed)
            #expect(try await store.customers.customer(customer.id)?.name == "Ana Lima")
        }
    }

    @Test(arguments: Backend.available)
    func listPagesAndFilters(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            for index in 0..<7 {
                let tier: JSONValue = index.isMultiple(of: 2) ? "gold" : "silver"
                _ = try await store.write { tx in
                    try await store.customers.createCustomer(NewCustomer(name: "Name \(index)", attributes: ["tier": tier, "n": .integer(Int64(index))]), actor: actor, in: tx)
                }
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.customers.customers(matching: CustomerFilter(), limit: 3, cursor: cursor)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(seen == seen.sorted())
            var gold = CustomerFilter()
            gold.attributes = [("tier", CustomerFilter.candidates(for: "gold"))]
            #expect(try await store.customers.customers(matching: gold, limit: 50, cursor: nil).items.count == 4)
            var number = CustomerFilter()
            number.attributes = [("n", CustomerFilter.candidates(for: "5"))]
            #expect(try await store.customers.customers(matching: number, limit: 50, cursor: nil).items.map(\.name) == ["Name 5"])
            var prefix = CustomerFilter()
            prefix.namePrefix = "NAME 1"
            #expect(try await store.customers.customers(matching: prefix, limit: 50, cursor: nil).items.map(\.name) == ["Name 1"])
        }
    }
}
