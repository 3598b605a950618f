import Foundation
import Logging
import NIOPosix
@testable import RapportStore
import SQLKit
import Testing

/// The writer's VFS on real files: a commit's frames reach the log in one write, and the log it
/// leaves behind — copied while the writer is still open, as a process killed at that moment leaves
/// it — recovers every committed row, in every shape of commit SQLite writes.
@Suite("Store: the writer's write-ahead log written a commit at a time") struct WALAppendVFSTests {
    private func withWALWriter(_ body: (SQLiteWriterConnection, String) async throws -> Void) async throws {
        try await withTemporaryWriterConnection { writer, path in
            try await writer.raw("PRAGMA journal_mode=WAL").run()
            try await writer.raw("PRAGMA synchronous=NORMAL").run()
            // SQLite's own checkpoints would copy the log away before it is looked at.
            try await writer.raw("PRAGMA wal_autocheckpoint=0").run()
            try await writer.raw("CREATE TABLE t (n INTEGER PRIMARY KEY, filler BLOB NOT NULL)").run()
            try await body(writer, path)
        }
    }

    /// Inserts rows `range` with `size` bytes each in one transaction.
    private func commit(_ range: Range<Int>, size: Int, on writer: SQLiteWriterConnection) async throws {
        try await writer.raw("BEGIN IMMEDIATE").run()
        for n in range {
            try await writer.raw("INSERT INTO t VALUES (\(bind: n), \(bind: [UInt8](repeating: UInt8(n % 251), count: size)))").run()
        }
        try await writer.raw("COMMIT").run()
    }

    /// What a process killed now leaves: the database file and its log, opened elsewhere (SQLite
    /// recovers the log from its frames' headers and checksums). Answers the rows' count, their
    /// sum, and the integrity check.
    private func recovered(from path: String) async throws -> (count: Int, sum: Int, integrity: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-recovered-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: path, toPath: directory + "/copy.sqlite")
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: directory + "/copy.sqlite-wal")
        let reader = try SQLiteWriterConnection.open(path: directory + "/copy.sqlite", on: MultiThreadedEventLoopGroup.singleton.next(),
                                                     logger: Logger(label: "test"))
        defer { reader.close() }
        let row = try await reader.raw("SELECT count(*) AS n, coalesce(sum(n), 0) AS total FROM t").first()
        let integrity = try await reader.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
        return (try row?.decode(column: "n", as: Int.self) ?? -1, try row?.decode(column: "total", as: Int.self) ?? -1, integrity ?? "")
    }

    @Test func aCommitOfManyPagesReachesTheLogInAFewWrites() async throws {
        try await withWALWriter { writer, _ in
            let before = try #require(writer.logWriteCounts)
            try await commit(0..<200, size: 2_000, on: writer)
            let after = try #require(writer.logWriteCounts)
            // A row a page, each frame a header and a page: SQLite asked for 400 writes or more.
            let frames = (after.asked - before.asked) / 2
            #expect(frames >= 200)
            // Everything before the last frame in parts as large as the platform writes, then its
            // header and its page (without the VFS: one write each).
            let parts = (frames * (24 + 4_096) + WALAppendVFS.platformWriteLimit - 1) / WALAppendVFS.platformWriteLimit
            #expect(after.written - before.written <= parts + 2, "\(before) → \(after)")
        }
    }

    @Test func everyCommittedRowIsInTheLogAsAKilledProcessLeavesIt() async throws {
        try await withWALWriter { writer, path in
            var expected = (count: 0, sum: 0)
            func committed(_ range: Range<Int>) {
                expected.count += range.count
                expected.sum += range.reduce(0, +)
            }
            // Small commits, one after another.
            for start in stride(from: 0, to: 40, by: 4) {
                try await commit(start..<start + 4, size: 500, on: writer)
                committed(start..<start + 4)
            }
            // A commit larger than the buffer (4 MB): written in several parts.
            try await commit(1_000..<1_800, size: 8_000, on: writer)
            committed(1_000..<1_800)
            // A transaction larger than the writer's page cache: SQLite writes frames before the
            // commit, reads some back, and may rewrite their checksums at the commit.
            try await writer.raw("PRAGMA cache_size=20").run()
            try await commit(5_000..<5_600, size: 3_000, on: writer)
            committed(5_000..<5_600)
            // A transaction rolled back after writing frames: the next commit writes over them.
            try await writer.raw("BEGIN IMMEDIATE").run()
            for n in 9_000..<9_300 {
                try await writer.raw("INSERT INTO t VALUES (\(bind: n), \(bind: [UInt8](repeating: 1, count: 3_000)))").run()
            }
            try await writer.raw("ROLLBACK").run()
            try await commit(7_000..<7_010, size: 100, on: writer)
            committed(7_000..<7_010)

            let recovered = try await recovered(from: path)
            #expect(recovered.count == expected.count)
            #expect(recovered.sum == expected.sum)
            #expect(recovered.integrity == "ok")
        }
    }

    @Test func aLogStartedAgainAfterACheckpointIsWrittenFromItsBeginning() async throws {
        try await withWALWriter { writer, path in
            try await commit(0..<300, size: 1_000, on: writer)
            // Copies the whole log into the database and lets the next commit start it again.
            try await writer.raw("PRAGMA wal_checkpoint(RESTART)").run()
            try await commit(300..<320, size: 1_000, on: writer)
            let recovered = try await recovered(from: path)
            #expect(recovered.count == 320)
            #expect(recovered.sum == (0..<320).reduce(0, +))
            #expect(recovered.integrity == "ok")
        }
    }
}
