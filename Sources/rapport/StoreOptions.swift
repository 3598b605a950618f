import ArgumentParser
import Foundation
import Logging
import RapportServer
import RapportStore

/// Where the data lives: `--data-dir` (SQLite) or `--database-url` (PostgreSQL); flags win over
/// `RAPPORT_DATA_DIR` / `RAPPORT_DATABASE_URL`, which win over the default `./rapport-data`.
struct StoreOptions: ParsableArguments {
    @Option(help: "Directory of the embedded SQLite database (env RAPPORT_DATA_DIR, default ./rapport-data).")
    var dataDir: String?

    @Option(help: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/db?sslmode=disable (env RAPPORT_DATABASE_URL). Overrides --data-dir.")
    var databaseURL: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env RAPPORT_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(help: "Log format: json or text (env RAPPORT_LOG_FORMAT, default json).")
    var logFormat: String?

    func location() throws -> StoreLocation {
        if let url = databaseURL ?? Environment.value("RAPPORT_DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ValidationError("invalid setting database-url (RAPPORT_DATABASE_URL): must start with postgres://")
            }
            return .postgres(url: url)
        }
        let directory = dataDir ?? Environment.value("RAPPORT_DATA_DIR") ?? "./rapport-data"
        guard !directory.isEmpty else { throw ValidationError("invalid setting data-dir (RAPPORT_DATA_DIR): must not be empty") }
        return .sqlite(directory: directory)
    }

    func level() throws -> Logger.Level {
        let text = logLevel ?? Environment.value("RAPPORT_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("invalid setting log-level (RAPPORT_LOG_LEVEL): \"\(text)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    /// Sets up logging once for the process and returns the main logger.
    func bootstrapLogging() throws -> Logger {
        let level = try level()
        let format = logFormat ?? Environment.value("RAPPORT_LOG_FORMAT") ?? "json"
        switch format {
        case "json": LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        case "text":
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        default: throw ValidationError("invalid setting log-format (RAPPORT_LOG_FORMAT): must be json or text")
        }
        var logger = Logger(label: "rapport")
        logger.logLevel = level
        return logger
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
