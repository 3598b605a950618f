import Foundation
import Logging
import NIOPosix
@testable import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Checkpoints of a SQLite store's write-ahead log: when the policy asks for them, and that the
/// checkpointer (or the writer, past the limit) really copies the log into the database file.
@Suite("Store: checkpoints of the write-ahead log") struct WALCheckpointerTests {
    private let policy = WALCheckpointPolicy(background: 100, step: 20, inline: 300)

    @Test func theFirstCheckpointStartsAtTheThresholdAndOneRunsAtATime() {
        var state = WALCheckpointPolicy.State()
        #expect(policy.decide(length: 99, state: &state) == WALCheckpointPolicy.Decision.none)
        #expect(policy.decide(length: 100, state: &state) == .background)
        #expect(policy.decide(length: 150, state: &state) == WALCheckpointPolicy.Decision.none)
        policy.finished(state: &state)
        #expect(state.running == false)
    }

    @Test func whileTheLogGrowsOnEachFurtherStepIsCopied() {
        var state = WALCheckpointPolicy.State()
        #expect(policy.decide(length: 100, state: &state) == .background)
        policy.finished(state: &state)
        #expect(policy.decide(length: 119, state: &state) == WALCheckpointPolicy.Decision.none)
        #expect(policy.decide(length: 120, state: &state) == .background)
        policy.finished(state: &state)
        #expect(policy.decide(length: 139, state: &state) == WALCheckpointPolicy.Decision.none)
    }

    @Test func aLogThatStartedAgainIsCountedFromItsBeginning() {
        var state = WALCheckpointPolicy.State()
        #expect(policy.decide(length: 180, state: &state) == .background)
        policy.finished(state: &state)
        // Shorter than at the last commit: SQLite started the log again after a full copy.
        #expect(policy.decide(length: 3, state: &state) == WALCheckpointPolicy.Decision.none)
        #expect(state.askedAt == 0)
        #expect(policy.decide(length: 100, state: &state) == .background)
    }

    @Test func pastTheLimitTheWriterCheckpointsEvenWhileTheCheckpointerRuns() {
        var state = WALCheckpointPolicy.State()
        #expect(policy.decide(length: 100, state: &state) == .background)
        #expect(policy.decide(length: 299, state: &state) == WALCheckpointPolicy.Decision.none)
        #expect(policy.decide(length: 300, state: &state) == .inline)
        #expect(policy.decide(length: 301, state: &state) == .inline)
    }

    /// A writer in WAL mode on a fresh file, with `checkpointer` asked after each commit.
    private func withWriter(policy: WALCheckpointPolicy,
                            _ body: (SQLiteWriterConnection, WALCheckpointer, String) async throws -> Void) async throws {
        try await withTemporaryWriterConnection { writer, path in
            try await writer.raw("PRAGMA journal_mode=WAL").run()
            try await writer.raw("PRAGMA synchronous=NORMAL").run()
            let checkpointer = try WALCheckpointer(databasePath: path, policy: policy, logger: Logger(label: "test"))
            writer.checkpoint(with: checkpointer)
            do {
                try await body(writer, checkpointer, path)
            } catch {
                await checkpointer.close()
                throw error
            }
            await checkpointer.close()
        }
    }

    /// Commits `count` rows of about a page each, one commit each.
    private func commitRows(_ count: Int, on writer: SQLiteWriterConnection) async throws {
        try await writer.raw("CREATE TABLE IF NOT EXISTS t (n INTEGER, filler BLOB)").run()
        for n in 0..<count {
            try await writer.raw("INSERT INTO t VALUES (\(bind: n), \(bind: [UInt8](repeating: 7, count: 3_000)))").run()
        }
    }

    /// The rows the database file holds without its log: what checkpoints copied into it.
    private func rowsInTheDatabaseFileAlone(_ path: String) async throws -> Int {
        let copy = path + "-copy.sqlite"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let reader = try SQLiteWriterConnection.open(path: copy, on: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "test"))
        defer { reader.close() }
        guard try await reader.raw("SELECT name FROM sqlite_master WHERE name = 't'").first() != nil else { return 0 }
        return try await reader.raw("SELECT count(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Test func theCheckpointerCopiesTheLogIntoTheDatabaseOffTheWriter() async throws {
        // 100 frames: far below SQLite's own threshold (1,000), which would copy nothing here.
        try await withWriter(policy: WALCheckpointPolicy(background: 100, step: 50, inline: 1_000_000)) { writer, checkpointer, path in
            try await commitRows(150, on: writer)
            try await withTimeout(.seconds(30)) { await checkpointer.checkpointed(atLeast: 1) }
            // The commit that made the log 100 frames long and those before it are in the file (a
            // commit of a row writes two or three pages: its leaf, the header, at times a parent).
            #expect(try await rowsInTheDatabaseFileAlone(path) >= 30)
        }
    }

    @Test func pastTheLimitTheWriterCopiesTheLogItself() async throws {
        // A checkpointer that is never asked: the writer's own checkpoint at 60 frames bounds the log.
        try await withWriter(policy: WALCheckpointPolicy(background: 1_000_000, step: 1, inline: 60)) { writer, _, path in
            try await commitRows(80, on: writer)
            #expect(try await rowsInTheDatabaseFileAlone(path) >= 20)
        }
    }
}
