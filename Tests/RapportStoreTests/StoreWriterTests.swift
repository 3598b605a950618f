import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Store: migrations and the group-committing writer") struct StoreWriterTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")
    let actor = Actor(kind: .apiKey, id: "key_test")

    @Test(arguments: Backend.available)
    func migrationsRunOnceAndSeedDepartments(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            #expect(try await store.migrate().isEmpty)
            let keys = try await store.organization.departments().map(\.key)
            #expect(keys == ["sales", "marketing", "service", "finance"])
        }
    }

    @Test(arguments: Backend.available)
    func failedJobInAGroupCommitDoesNotTakeOthersDown(_ backend: Backend) async throws {
        struct Boom: Error {}
        try await TestDatabases.withStore(backend) { store in
            let results = await withTaskGroup(of: Result<String, any Error>.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            return .success(try await store.write { tx in
                                let customer = try await store.customers.createCustomer(NewCustomer(name: "Customer \(index)"), actor: actor, in: tx)
                                // Fails after writing: only a rollback can undo its rows.
                                if index == 17 { throw Boom() }
                                return customer.id
                            })
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { (try? $0.get()) != nil }.count == 39)
            let all = try await store.customers.customers(matching: CustomerFilter(), limit: 100, cursor: nil)
            #expect(all.items.count == 39)
            #expect(!all.items.contains { $0.name == "Customer 17" })
            let events = try await store.events.events(after: 0, limit: 1_000)
            #expect(events.count == 39)
            #expect(events.map(\.sequence) == Array(1...39))
        }
    }

    /// On PostgreSQL a statement the database refuses aborts the whole transaction, and COMMIT then
    /// rolls it back without an error: a job whose statement failed before it wrote anything must
    /// still not leave the others of its group acknowledged but lost.
    @Test(arguments: Backend.available)
    func aStatementTheDatabaseRefusesDoesNotLoseTheGroupsOtherWrites(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let results = await withTaskGroup(of: (Int, Result<String, any Error>).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            return (index, .success(try await store.write { tx in
                                if index % 2 == 1 {
                                    // Refused by the database before this job writes anything.
                                    _ = try await tx.rows("SELECT nothing FROM no_such_table")
                                }
                                return try await store.customers.createCustomer(NewCustomer(name: "Customer \(index)"), actor: actor, in: tx).id
                            }))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let acknowledged = results.filter { (try? $0.1.get()) != nil }
            #expect(acknowledged.count == 20)
            #expect(results.allSatisfy { ($0.0 % 2 == 1) == ((try? $0.1.get()) == nil) })
            let all = try await store.customers.customers(matching: CustomerFilter(), limit: 100, cursor: nil)
            #expect(all.items.count == 20, "every acknowledged write is there")
            #expect(try await store.events.events(after: 0, limit: 1_000).count == 20)
        }
    }
}
