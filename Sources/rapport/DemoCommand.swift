import ArgumentParser
import Foundation
import RapportCore
import RapportServer
import RapportStore

/// `rapport demo --scenario banking`: loads a realistic story into an empty store, with a
/// progress bar, so the console is alive on first start.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load a demo story: customers on several channels, conversations, records, notes and handoffs.",
        discussion: "Scenarios: ecommerce (carts across web, app and store; orders, shipments, returns), banking (accounts, loan "
            + "applications from online to branch), travel (itineraries of bookings changed by phone or email).")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "ecommerce, banking or travel.")
    var scenario: String

    @Option(help: "Customers in the story.")
    var customers = 60

    @Flag(help: "Load it even when the store already has customers.")
    var force = false

    @Option(help: "The phone region for phone numbers written without a country code (as for serve).")
    var defaultPhoneRegion: String = "US"

    func run() async throws {
        guard let scenario = DemoStory.Scenario(rawValue: scenario) else {
            throw ValidationError("--scenario must be one of \(DemoStory.Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard customers > 0, customers <= 10_000 else { throw ValidationError("--customers must be between 1 and 10000") }
        let normalizer = try IdentityNormalizer(defaultRegion: defaultPhoneRegion)
        let logger = try storeOptions.bootstrapLogging()
        let store = try await Store.open(try storeOptions.location(), logger: logger)
        let (size, force) = (customers, self.force)
        try await Bootstrap.withStoreRunning(store) {
            try await store.migrate()
            if !force, try await !store.customers.customers(matching: CustomerFilter(), limit: 1, cursor: nil).items.isEmpty {
                throw ValidationError("this store has customers already; the demo fills an empty one (--force loads it anyway)")
            }
            let story = DemoStory.make(scenario, size: size, now: store.records.now())
            let loader = DemoLoader(store: store, normalizer: normalizer)
            let setting = try await loader.prepare(story)
            let bar = ProgressBar("loading the \(scenario.rawValue) story", total: story.customers.count)
            for (index, person) in story.customers.enumerated() {
                do {
                    try await loader.load(person, setting: setting)
                } catch let error as StoreError where error.code == .conflict && force {
                    FileHandle.standardError.write(Data("skipped \(person.name): \(error.message)\n".utf8))
                }
                bar.update(index + 1)
            }
            bar.finish()
            let records = story.customers.reduce(0) { $0 + $1.records.count }
            let messages = story.customers.reduce(0) { $0 + $1.messages.count }
            print("""
                loaded \(story.customers.count) customers, \(messages) interactions, \(records) records, \
                \(story.customers.reduce(0) { $0 + $1.notes.count }) notes and \(story.customers.reduce(0) { $0 + $1.handoffs.count }) handoffs \
                (\(story.colleagues.count) colleagues: \(story.colleagues.map(\.email).joined(separator: ", ")))
                """)
        }
    }
}
