import ArgumentParser
import Foundation
import Logging
import RapportServer
import RapportStore

/// Where the data lives and how the process logs: `--data-dir` (SQLite) or `--database-url`
/// (PostgreSQL), `--log-level`, `--log-format`. Names, help, variables, defaults and checks are
/// the declarations in `ServeSettings`; flags win over `RAPPORT_*` variables, which win over defaults.
struct StoreOptions: ParsableArguments {
    @Option(name: .setting(.dataDir), help: .setting(.dataDir))
    var dataDir: String?

    @Option(name: .setting(.databaseURL), help: .setting(.databaseURL))
    var databaseURL: String?

    @Option(name: .setting(.logLevel), help: .setting(.logLevel))
    var logLevel: String?

    @Option(name: .setting(.logFormat), help: .setting(.logFormat))
    var logFormat: String?

    /// The value of one of these settings on the command line; nil for the other settings.
    func commandLine(_ name: SettingName) -> String? {
        switch name {
        case .dataDir: dataDir
        case .databaseURL: databaseURL
        case .logLevel: logLevel
        case .logFormat: logFormat
        default: nil
        }
    }

    /// These settings' sources: the command line, then the environment, then the defaults.
    var sources: SettingSources { SettingSources(commandLine: SettingName.allCases.commandLine(commandLine)) }

    func location() throws -> StoreLocation {
        try refusingInvalid { () throws(SettingError) in try sources.storeLocation() }
    }

    /// Sets up logging once for the process and returns the main logger.
    func bootstrapLogging() throws -> Logger {
        let sources = sources
        let (level, format) = try refusingInvalid { () throws(SettingError) in
            (try sources.value(ServeSettings.logLevel), try sources.value(ServeSettings.logFormat))
        }
        switch format {
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "rapport")
        logger.logLevel = level
        return logger
    }
}

/// Runs `body`, turning an invalid setting into ArgumentParser's error, printed before the usage.
func refusingInvalid<T>(_ body: () throws(SettingError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw ValidationError(error.description)
    }
}

extension Array where Element == SettingName {
    /// The command-line values of these settings, for `SettingSources`.
    func commandLine(_ value: (SettingName) -> String?) -> [SettingName: String] {
        Dictionary(uniqueKeysWithValues: compactMap { name in value(name).map { (name, $0) } })
    }
}

extension NameSpecification {
    /// The flag of a declared setting.
    static func setting(_ name: SettingName) -> NameSpecification { .customLong(name.flag) }
}

extension ArgumentHelp {
    /// The help of a declared setting, from its declaration.
    static func setting(_ name: SettingName) -> ArgumentHelp { ArgumentHelp(name.declaration.help, valueName: name.flag) }
}
