import ArgumentParser

/// `rapport bench`: load programs that print figures (see docs/benchmarks.md).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks.", subcommands: [])
}
