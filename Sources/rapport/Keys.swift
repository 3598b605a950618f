import ArgumentParser
import RapportCore
import RapportStore

/// `rapport keys`: manage API keys from the command line.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    /// `rapport keys create --role admin`: prints the new secret alone on the last line, for scripts.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print its secret (shown only once).")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Role of the key: admin, manager, agent or viewer.")
        var role: String

        @Option(help: "A name that says what the key is for.")
        var name: String = "command line key"

        @Option(help: "Bind the key to a department, by id or key (e.g. service).")
        var department: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let logger = try storeOptions.bootstrapLogging()
            let store = try await Store.open(try storeOptions.location(), logger: logger)
            let issued = try await Bootstrap.withStoreRunning(store) { () async throws -> IssuedAPIKey in
                try await store.migrate()
                var departmentID: String?
                if let department {
                    guard let found = try await store.organization.department(department) else {
                        throw ValidationError("--department: no department \"\(department)\"")
                    }
                    departmentID = found.id
                }
                let request = APIKeyRequest(name: name, role: role, departmentID: departmentID)
                return try await store.write { tx in try await store.access.issueAPIKey(request, actor: .system, in: tx) }
            }
            print("created API key \(issued.key.id) (\(role.rawValue)); the secret is shown only once:")
            print(issued.secret)
        }
    }
}
