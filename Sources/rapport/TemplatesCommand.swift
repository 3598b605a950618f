import ArgumentParser
import RapportCore
import RapportStore

/// `rapport templates`: the record types of a department or scenario, installed in one step.
struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "templates", abstract: "List and install record type templates.",
                                                    subcommands: [List.self, Install.self])

    /// `rapport templates list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the templates and the record types each installs.")

        func run() async throws {
            for template in RecordTemplates.all {
                let types = template.json.objectValue?["record_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let requires = template.requires.isEmpty ? "" : " (with \(template.requires.joined(separator: ", ")))"
                print("\(template.name)\(requires): \(template.summary) Types: \(types.joined(separator: ", ")).")
            }
        }
    }

    /// `rapport templates install sales`: creates the types that do not exist yet (and those of the
    /// templates it requires); existing types are kept as they are.
    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Install a template's record types and pipelines.")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The template: \(RecordTemplates.all.map(\.name).joined(separator: ", ")).")
        var name: String

        @Option(help: "The phone region for phone numbers written without a country code (as for serve).")
        var defaultPhoneRegion: String = "US"

        func run() async throws {
            guard let template = RecordTemplates.named(name) else {
                throw ValidationError("no template \"\(name)\": \(RecordTemplates.all.map(\.name).joined(separator: ", "))")
            }
            let context = FieldValueContext(normalizer: try IdentityNormalizer(defaultRegion: defaultPhoneRegion))
            let drafts = try RecordTemplates.withRequirements(template).flatMap { try $0.drafts(context: context) }
            let logger = try storeOptions.bootstrapLogging()
            let store = try await Store.open(try storeOptions.location(), logger: logger)
            let outcome = try await Bootstrap.withStoreRunning(store) { () async throws -> (installed: [String], kept: [String]) in
                try await store.migrate()
                return try await store.write { tx in try await store.recordTypes.install(drafts, actor: .system, in: tx) }
            }
            print("installed: \(outcome.installed.isEmpty ? "nothing new" : outcome.installed.joined(separator: ", "))")
            if !outcome.kept.isEmpty { print("kept as they were: \(outcome.kept.joined(separator: ", "))") }
        }
    }
}
