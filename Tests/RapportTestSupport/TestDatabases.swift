import Foundation
import Logging
import RapportCore
import RapportStore
import SQLKit
import Testing

/// The backends the suites run on: SQLite always, PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
public enum Backend: String, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    public var testDescription: String { rawValue }

    public static let postgresURL = ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Every backend this run can reach; pass to `@Test(arguments:)`.
    public static var available: [Backend] {
        if postgresURL == nil {
            print("Rapport tests: PostgreSQL tests skipped: RAPPORT_TEST_POSTGRES_URL is not set")
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }

    /// Whether this run can reach PostgreSQL; for `.enabled(if:)` on tests that need it, so that
    /// they are reported as skipped (and the note above printed) rather than passing untried.
    public static var postgresIsAvailable: Bool { available.contains(.postgres) }
}

/// Fresh databases for tests, removed afterwards.
public enum TestDatabases {
    public static let logger: Logger = {
        var logger = Logger(label: "rapport.test")
        logger.logLevel = .warning
        return logger
    }()

    /// PostgreSQL databases in use at once (`RAPPORT_TEST_POSTGRES_PARALLEL`, 6 by default).
    static let postgresGate = DatabaseGate(
        permits: ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_PARALLEL"].flatMap { Int($0) } ?? 6)

    /// Readers' connections per test store; a test has a handful of requests in flight at most.
    static let testPoolSize = 4

    /// A fresh, empty database of `backend`, removed after `body`.
    public static func withLocation<T: Sendable>(_ backend: Backend, _ body: @Sendable (StoreLocation) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-test-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await body(.sqlite(directory: directory))
        case .postgres:
            guard let adminURL = Backend.postgresURL else { throw StoreError(.unavailable, "RAPPORT_TEST_POSTGRES_URL is not set") }
            return try await postgresGate.withPermit {
                try await withFreshPostgresDatabase(adminURL: adminURL, body)
            }
        }
    }

    private static func withFreshPostgresDatabase<T: Sendable>(
        adminURL: String, _ body: @Sendable (StoreLocation) async throws -> T
    ) async throws -> T {
        let name = "rapport_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await admin(adminURL, "CREATE DATABASE \(name)")
        print("Rapport tests: running on PostgreSQL database \(name)")
        do {
            let result = try await body(.postgres(url: replacingDatabase(in: adminURL, with: name)))
            try await admin(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `body` on a fresh migrated store of `backend`.
    public static func withStore<T: Sendable>(_ backend: Backend, clock: @escaping @Sendable () -> Timestamp = { .now() },
                                       _ body: @Sendable (Store) async throws -> T) async throws -> T {
        try await withLocation(backend) { location in
            try await Store.withRunning(location, logger: logger, clock: clock, body)
        }
    }

    private static func admin(_ url: String, _ statement: String) async throws {
        try await Store.withRunning(.postgres(url: url), logger: logger, migrate: false) { store in
            try await store.read { try await $0.raw(SQLQueryString(statement)).run() }
        }
    }

    private static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "pool_size" }
            + [URLQueryItem(name: "pool_size", value: String(testPoolSize))]
        return components.string!
    }
}
