import RapportStore

/// The README's configuration table, made from the declarations so the two cannot differ
/// (`rapport serve --print-configuration-table` prints it; a test compares it with the README).
public enum ConfigurationReference {
    /// The Markdown table: setting, flag, environment variable, default; one row per setting.
    public static func markdownTable() -> String {
        var lines = ["| setting | flag | environment | default |", "|---|---|---|---|"]
        for setting in ServeSettings.all {
            let variable = setting.isSwitch ? "\(setting.name.variable)=true" : setting.name.variable
            lines.append("| \(setting.summary) | `--\(setting.name.flag)` | `\(variable)` | \(setting.defaultShown) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SettingSources {
    /// Where the data lives: PostgreSQL when `database-url` is set, else SQLite in `data-dir`.
    public func storeLocation() throws(SettingError) -> StoreLocation {
        let directory = try value(ServeSettings.dataDir)
        if let url = try value(ServeSettings.databaseURL) { return .postgres(url: url) }
        return .sqlite(directory: directory)
    }
}
