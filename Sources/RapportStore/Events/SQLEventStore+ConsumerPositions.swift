import RapportCore
import SQLKit

extension SQLEventStore {
    /// How far the named consumer of the event log has read; nil before its first save.
    public func consumerPosition(_ name: String) async throws -> Int64? {
        try await read { database in
            try await database.raw("SELECT position FROM consumer_positions WHERE name = \(bind: name)").first()?.int64("position")
        }
    }

    /// Sets where the named consumer starts unless it already has a position (another node may
    /// have set it first), and returns the position it has now.
    public func startConsumerPosition(_ name: String, at position: Int64) async throws -> Int64 {
        try await write { tx in
            try await tx.execute("""
                INSERT INTO consumer_positions (name, position, updated_at) VALUES (\(bind: name), \(bind: position), \(bind: tx.now().microseconds))
                ON CONFLICT (name) DO NOTHING
                """)
        }
        return try await consumerPosition(name) ?? position
    }

    /// Records how far the named consumer has read (never backwards).
    public func saveConsumerPosition(_ name: String, _ position: Int64) async throws {
        try await write { tx in try await savePosition(of: name, at: position, in: tx) }
    }
}

extension SQLEventStore {
    /// Records how far the named consumer has read (never backwards), in this transaction, so the
    /// position moves together with the effects of what it read.
    public func savePosition(of name: String, at position: Int64, in tx: WriteTransaction) async throws {
        let time = tx.now().microseconds
        // One statement, so two nodes saving the same consumer's position at once cannot collide.
        try await tx.execute("""
            INSERT INTO consumer_positions (name, position, updated_at) VALUES (\(bind: name), \(bind: position), \(bind: time))
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            WHERE consumer_positions.position < excluded.position
            """)
    }
}

/// Where one consumer of the event log stands.
public struct ConsumerPosition: Sendable {
    public var name: String
    public var position: Int64
    public var updatedAt: Timestamp
}

extension SQLEventStore {
    /// Every consumer that saved a position, by name.
    public func consumerPositions() async throws -> [ConsumerPosition] {
        try await read { database in
            try await database.raw("SELECT name, position, updated_at FROM consumer_positions ORDER BY name").all().map { row in
                ConsumerPosition(name: try row.string("name"), position: try row.int64("position"),
                                 updatedAt: try row.timestamp("updated_at"))
            }
        }
    }
}
