import ArgumentParser

/// The `rapport` command line.
@main
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Rapport: one consistent customer record across every channel and department.",
        subcommands: [Serve.self, Migrate.self, Keys.self, Dedupe.self, ImportCommand.self, DemoCommand.self, ClassifierCommand.self, TemplatesCommand.self],
        defaultSubcommand: Serve.self
    )
}
