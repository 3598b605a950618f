import Logging
import RapportCore
import SQLKit

/// Brings a database to the newest schema version; safe when several nodes start at once.
enum Migrator {
    private static let lockKey: Int64 = 0x5241_5050_4F52_5402

    /// Applies every migration not yet recorded; returns the versions it applied.
    @discardableResult
    static func migrate(driver: any DatabaseDriver, ids: RecordIDGenerator, clock: @escaping @Sendable () -> Timestamp,
                        logger: Logger) async throws -> [Int] {
        try await driver.withWriter { database in
            if driver.flavor == .postgres {
                try await database.raw("SELECT pg_advisory_lock(\(literal: lockKey))").run()
            }
            do {
                try await database.raw("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                    """).run()
                let applied = Set(try await database.raw("SELECT version FROM schema_migrations").all()
                    .map { try $0.decode(column: "version", as: Int.self) })
                var done: [Int] = []
                for migration in Migrations.all where !applied.contains(migration.version) {
                    try await database.raw(driver.flavor == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
                    do {
                        for statement in migration.statements(driver.flavor) {
                            try await database.raw(SQLQueryString(statement)).run()
                        }
                        let tx = WriteTransaction(database: database, flavor: driver.flavor, ids: ids, clock: clock)
                        try await migration.seed?(tx)
                        try await database.raw("""
                            INSERT INTO schema_migrations (version, name, applied_at)
                            VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: clock().microseconds))
                            """).run()
                        try await database.raw("COMMIT").run()
                    } catch {
                        try? await database.raw("ROLLBACK").run()
                        throw error
                    }
                    logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    done.append(migration.version)
                }
                if driver.flavor == .postgres {
                    try await database.raw("SELECT pg_advisory_unlock(\(literal: lockKey))").run()
                }
                return done
            } catch {
                if driver.flavor == .postgres {
                    try? await database.raw("SELECT pg_advisory_unlock(\(literal: lockKey))").run()
                }
                throw error
            }
        }
    }
}
