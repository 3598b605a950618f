import RapportCore
import SQLKit

extension WriteTransaction {
    /// The events this transaction has appended so far, numbered as they will be stored, and the
    /// log's head before them. Only on SQLite, where the write lock this transaction holds keeps the
    /// head fixed until it commits; nil on PostgreSQL, where the numbers are drawn at commit under
    /// the log's lock.
    public func pendingEventsNumbered() async throws -> (head: Int64, events: [Event])? {
        guard flavor == .sqlite else { return nil }
        let head = try await headBeforeAppends()
        let events = pendingEvents.enumerated().map { offset, pending in
            Event(sequence: head + Int64(offset) + 1, id: pending.id, type: pending.draft.type, subject: pending.draft.subject,
                  time: pending.time, data: pending.draft.data)
        }
        return (head, events)
    }

    /// How many events this transaction has appended so far.
    public var pendingEventCount: Int { pendingEvents.count }

    /// Runs `body` inside a savepoint: when it fails, what it wrote and the events it appended are
    /// undone and the rest of the transaction goes on. Returns its error, or nil when it succeeded.
    /// For optional work in a batch's transaction (routing at ingest) whose failure must not fail
    /// the batch; `body` must not change other state of the transaction that it cannot undo.
    /// Throws only when the savepoint itself fails: the transaction cannot go on then.
    public func attempt(_ name: String, _ body: (WriteTransaction) async throws -> Void) async throws -> (any Error)? {
        let events = pendingEvents.count
        try await database.raw("SAVEPOINT \(unsafeRaw: name)").run()
        do {
            try await body(self)
            try await database.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            return nil
        } catch {
            dropPendingEvents(after: events)
            try await database.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)").run()
            try await database.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            return error
        }
    }
}
