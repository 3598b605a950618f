import Logging
import NIOCore
import NIOPosix
import PostgresKit

/// Hears the commits of every node on one PostgreSQL database: a connection of its own, outside
/// the pools, in `LISTEN` on the channel each commit `NOTIFY`s with the new head of the log.
///
/// The connection is ended by closing it, never by cancelling the task that listens: a listen
/// cancelled while it starts could leave its connection held, and stopping would wait for it.
struct PostgresCommitListener: Sendable {
    /// The channel on which every commit announces the new head (`NOTIFY` is delivered on commit,
    /// in commit order, to every listening connection).
    static let channel = "rapport_events"

    let configuration: PostgresConnection.Configuration
    let logger: Logger

    /// Until cancelled, reports the head whenever listening (re)starts, as commits may have been
    /// missed, then each announced head; reconnects a second after losing the connection.
    func follow(_ report: @escaping @Sendable (Int64) async -> Void) async {
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: connectionID, logger: logger)
                let listening = Task {
                    try await connection.listen(on: Self.channel) { notifications in
                        // Before the first migration there is no log to read yet.
                        if let head = try? await EventLog.head(on: connection.sql(queryLogLevel: nil)) { await report(head) }
                        for try await notification in notifications {
                            if let head = Int64(notification.payload) { await report(head) }
                        }
                    }
                }
                let outcome = await withTaskCancellationHandler {
                    await listening.result
                } onCancel: {
                    connection.close().whenComplete { _ in }
                }
                try? await connection.close()
                if case .failure(let error) = outcome { throw error }
            } catch {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }
                logger.warning("listening for other nodes' commits failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                continue
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Within the writer's open transaction: tells every listener the new head once it commits.
    static func announce(head: Int64, on database: any SQLDatabase) async throws {
        try await database.raw("SELECT pg_notify(\(bind: channel), \(bind: String(head)))").run()
    }
}
