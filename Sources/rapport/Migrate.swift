import ArgumentParser
import RapportStore

/// `rapport migrate`: bring the database schema up to date and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let logger = try storeOptions.bootstrapLogging()
        let store = try await Store.open(try storeOptions.location(), logger: logger)
        let applied = try await Bootstrap.withStoreRunning(store) { try await store.migrate() }
        print(applied.isEmpty ? "schema is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
