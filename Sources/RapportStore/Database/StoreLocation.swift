import Foundation

/// Where Rapport keeps its data: an embedded SQLite file (the default) or a PostgreSQL server.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// `rapport.sqlite` inside this directory, which is created if missing.
    case sqlite(directory: String)
    /// A `postgres://user:password@host:port/database?sslmode=disable|prefer|require` URL.
    case postgres(url: String)

    public var flavor: SQLFlavor {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Safe to log: the password of a PostgreSQL URL is masked.
    public var description: String {
        switch self {
        case .sqlite(let directory):
            return "sqlite:\(directory)/rapport.sqlite"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres:(unparsable url)" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres"
        }
    }
}

/// The SQL dialect a statement is written for, where the two backends differ.
public enum SQLFlavor: Sendable {
    case sqlite
    case postgres
}
