import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportSync

/// `rapport classifier`: trains the content model routing uses.
struct ClassifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classifier", abstract: "Train the content classifier routing uses.", subcommands: [Train.self])

    /// Trains from a CSV of labelled messages, or from the store's resolved conversations.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a new classifier version from a CSV file (columns text,label) or from resolved conversations.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "CSV file with a header; without it, resolved conversations labelled with their department are used.")
        var csv: String?

        @Option(help: "Column holding the message text.")
        var textColumn = "text"

        @Option(help: "Column holding the label (a department key, department/queue, or an intent).")
        var labelColumn = "category"

        func run() async throws {
            let logger = try storeOptions.bootstrapLogging()
            var examples: [LabelledText]?
            if let csv { examples = try Self.read(csv, text: textColumn, label: labelColumn) }
            let store = try await Store.open(try storeOptions.location(), logger: logger)
            try await Bootstrap.withStoreRunning(store) {
                try await store.migrate()
                let stored = try await ClassifierTraining.train(routing: store.routing, writer: store, examples: examples, historyLimit: 200_000, actor: .system)
                print("classifier version \(stored.version): \(stored.summary.jsonString)")
            }
        }

        static func read(_ path: String, text: String, label: String) throws -> [LabelledText] {
            let content = try String(contentsOfFile: path, encoding: .utf8)
            let rows: [[String]]
            do throws(CSVReader.SyntaxError) {
                rows = try CSVReader.records(content)
            } catch {
                throw ValidationError("\(path): \(error.description)")
            }
            guard let header = rows.first, let textIndex = header.firstIndex(of: text), let labelIndex = header.firstIndex(of: label) else {
                throw ValidationError("\(path): the header must name the columns \(text) and \(label)")
            }
            return rows.dropFirst().compactMap { row in
                guard row.count > max(textIndex, labelIndex), !row[textIndex].isEmpty, !row[labelIndex].isEmpty else { return nil }
                return LabelledText(text: row[textIndex], label: row[labelIndex])
            }
        }
    }
}
