import Foundation
import Logging
import NIOPosix
@testable import RapportStore

/// Opens the writer's SQLite connection on a fresh file in a directory of its own, runs `body`
/// with it and the file's path, then closes it and removes the directory.
func withTemporaryWriterConnection(_ body: (SQLiteWriterConnection, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-writer-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/test.sqlite"
    let connection = try SQLiteWriterConnection.open(path: path, on: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "test"))
    defer { connection.close() }
    try await body(connection, path)
}
