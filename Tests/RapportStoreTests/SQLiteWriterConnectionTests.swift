import Foundation
import Logging
import NIOPosix
@testable import RapportStore
import SQLKit
import Testing

/// The writer's own SQLite connection: what it binds and reads back, its kept statements across
/// schema changes and failures, and the WAL sync that acknowledges its commits.
@Suite("Store: the writer's SQLite connection") struct SQLiteWriterConnectionTests {
    @Test func valuesRoundTripAsSQLiteKitWouldStoreThem() async throws {
        try await withTemporaryWriterConnection { db, _ in
            try await db.raw("CREATE TABLE t (a TEXT, b INTEGER, c REAL, d BLOB, e TEXT, f INTEGER)").run()
            let text = "Zoë 张伟 \u{0}after a NUL"
            try await db.raw("INSERT INTO t VALUES (\(bind: text), \(bind: Int64(-42)), \(bind: 2.5), \(bind: [UInt8]([1, 2, 3])), \(bind: ""), \(bind: false))").run()
            try await db.raw("INSERT INTO t VALUES (\(bind: String?.none), \(bind: Int.max), \(bind: 0.5), \(bind: [UInt8]()), \(bind: "x"), \(bind: true))").run()
            let rows = try await db.raw("SELECT a, b, c, d, e, f, typeof(e) AS kind FROM t ORDER BY rowid").all()
            #expect(rows.count == 2)
            #expect(try rows[0].decode(column: "a", as: String.self) == text)
            #expect(try rows[0].decode(column: "b", as: Int64.self) == -42)
            #expect(try rows[0].decode(column: "c", as: Double.self) == 2.5)
            #expect(try rows[0].decode(column: "d", as: [UInt8].self) == [1, 2, 3])
            // An empty text is text, not NULL.
            #expect(try rows[0].decode(column: "kind", as: String.self) == "text")
            #expect(try rows[0].decode(column: "e", as: String.self) == "")
            #expect(try rows[1].decodeNil(column: "a"))
            #expect(try rows[1].decode(column: "a", as: String?.self) == nil)
            #expect(try rows[0].decode(column: "a", as: String?.self) == text)
            #expect(try rows[0].decode(column: "b", as: Int64?.self) == -42)
            #expect(try rows[0].decode(column: "b", as: Int?.self) == -42)
            #expect(try rows[0].decode(column: "c", as: Double?.self) == 2.5)
            #expect(try rows[0].decode(column: "c", as: Double.self) == 2.5)
            #expect(try rows[1].decode(column: "b", as: Int64?.self) == Int64(Int.max))
            #expect(try rows[1].decode(column: "a", as: Int64?.self) == nil)
            #expect(try rows[1].decode(column: "a", as: Double?.self) == nil)
            #expect(try rows[1].decode(column: "a", as: Int?.self) == nil)
            #expect(try rows[1].decode(column: "b", as: Int.self) == Int.max)
            #expect(try rows[1].decode(column: "f", as: Bool.self))
            #expect(try !rows[0].decode(column: "f", as: Bool.self))
            #expect(rows[0].allColumns == ["a", "b", "c", "d", "e", "f", "kind"])
            #expect(!rows[0].contains(column: "g"))
            #expect(throws: (any Error).self) { try rows[0].decode(column: "g", as: String.self) }
        }
    }

    @Test func keptStatementsFollowSchemaChanges() async throws {
        try await withTemporaryWriterConnection { db, _ in
            try await db.raw("CREATE TABLE t (a TEXT)").run()
            try await db.raw("INSERT INTO t VALUES ('one')").run()
            #expect(try await db.raw("SELECT * FROM t").all().first?.allColumns == ["a"])
            try await db.raw("ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7").run()
            // The same text again: prepared anew for the new schema, with its new column.
            let row = try #require(try await db.raw("SELECT * FROM t").all().first)
            #expect(row.allColumns == ["a", "b"])
            #expect(try row.decode(column: "b", as: Int.self) == 7)
        }
    }

    @Test("rows inserted in batches of every size are all stored, in order, by a few kept statements")
    func batchesOfEverySizeShareTheirStatements() async throws {
        try await withTemporaryWriterConnection { db, _ in
            try await db.raw("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT NOT NULL)").run()
            let kept = db.keptStatementCount
            var next = 0
            for size in 1...100 {
                var insert = RowsInsert(into: "t", columns: ["n", "label"])
                for _ in 0..<size {
                    insert.append(next, "row \(next)")
                    next += 1
                }
                try await insert.run(on: db)
            }
            // 1, 2, 4 … 64 rows a statement: seven kept, where a statement per size kept a hundred.
            #expect(db.keptStatementCount - kept == 7)
            let rows = try await db.raw("SELECT n, label FROM t ORDER BY n").all()
            #expect(rows.count == next)
            #expect(try rows.enumerated().allSatisfy { offset, row in
                try row.decode(column: "n", as: Int.self) == offset && row.decode(column: "label", as: String.self) == "row \(offset)"
            })
        }
    }

    @Test func aFailedStatementLeavesTheConnectionUsable() async throws {
        try await withTemporaryWriterConnection { db, _ in
            try await db.raw("CREATE TABLE t (id TEXT PRIMARY KEY)").run()
            let insert: (String) -> SQLQueryString = { "INSERT INTO t VALUES (\(bind: $0))" }
            try await db.raw(insert("a")).run()
            await #expect(throws: SQLiteFailure.self) { try await db.raw(insert("a")).run() }
            do {
                try await db.raw(insert("a")).run()
            } catch let failure as SQLiteFailure {
                #expect(failure.message.contains("UNIQUE"))
            }
            // The kept statement was reset: it runs again with new values.
            try await db.raw(insert("b")).run()
            await #expect(throws: SQLiteFailure.self) { try await db.raw("SELECT nothing FROM nowhere").run() }
            let count = try await db.raw("SELECT count(*) AS n FROM t").first()?.decode(column: "n", as: Int.self)
            #expect(count == 2)
        }
    }

    @Test func walSyncAnswersEveryCommitInOrder() async throws {
        try await withTemporaryWriterConnection { db, path in
            try await db.raw("PRAGMA journal_mode=WAL").run()
            try await db.raw("PRAGMA synchronous=NORMAL").run()
            try await db.raw("CREATE TABLE t (n INTEGER)").run()
            let sync = WALSync(databasePath: path, logger: Logger(label: "test"))
            let (answers, answer) = AsyncStream.makeStream(of: (Int, Bool).self)
            for n in 0..<50 {
                try await db.raw("INSERT INTO t VALUES (\(bind: n))").run()
                sync.afterDurable { outcome in answer.yield((n, (try? outcome.get()) != nil)) }
            }
            var received: [(Int, Bool)] = []
            for await pair in answers {
                received.append(pair)
                if received.count == 50 { break }
            }
            await sync.close()
            #expect(received.map(\.0) == Array(0..<50))
            #expect(received.allSatisfy { $0.1 })
        }
    }

    @Test func walSyncFailsWhenTheLogIsGone() async throws {
        try await withTemporaryWriterConnection { db, path in
            // Not in WAL mode: there is no log to sync, and saying "durable" would be a lie.
            try await db.raw("CREATE TABLE t (n INTEGER)").run()
            let sync = WALSync(databasePath: path, logger: Logger(label: "test"))
            let outcome = await withCheckedContinuation { continuation in
                sync.afterDurable { continuation.resume(returning: $0) }
            }
            await sync.close()
            #expect(throws: StoreError.self) { try outcome.get() }
        }
    }

    @Test func readersStopBeforeEventsNotYetDurable() {
        let undurable = UndurableEvents()
        #expect(undurable.readableHead == nil)
        undurable.committed(from: 11)
        undurable.committed(from: 15)
        #expect(undurable.readableHead == 10)
        undurable.madeDurable()
        #expect(undurable.readableHead == 14)
        undurable.madeDurable()
        #expect(undurable.readableHead == nil)
    }
}
