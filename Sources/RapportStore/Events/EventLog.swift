import RapportCore
import SQLKit

/// The ordered, gapless log of committed changes.
enum EventLog {
    /// Key of the PostgreSQL advisory lock that serializes appends across nodes.
    static let appendLockKey: Int64 = 0x5241_5050_4F52_5401

    static func head(on database: any SQLDatabase) async throws -> Int64 {
        let row = try await database.raw("SELECT COALESCE(MAX(sequence), 0) AS head FROM events").first()
        return try row?.decode(column: "head", as: Int64.self) ?? 0
    }

    /// Appends events; `texts` holds each one's data as stored, in the same order.
    static func insert(_ events: ArraySlice<Event>, texts: ArraySlice<String>, on database: any SQLDatabase) async throws {
        var insert = RowsInsert(into: "events", columns: ["sequence", "id", "type", "subject", "time", "data"], reservingRows: events.count)
        for (event, text) in zip(events, texts) {
            insert.append(event.sequence, event.id, event.type, event.subject, event.time.microseconds, text)
        }
        try await insert.run(on: database)
    }

    /// Events after `sequence`, oldest first, at most `limit`, none after `cap`.
    static func read(after sequence: Int64, limit: Int, upTo cap: Int64? = nil, on database: any SQLDatabase) async throws -> [Event] {
        let rows = try await database.raw("""
            SELECT sequence, id, type, subject, time, data FROM events
            WHERE sequence > \(bind: sequence) AND sequence <= \(bind: cap ?? Int64.max) ORDER BY sequence LIMIT \(bind: limit)
            """).all()
        return try rows.map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> Event {
        let text = try row.decode(column: "data", as: String.self)
        return Event(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            id: try row.decode(column: "id", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            time: Timestamp(microseconds: try row.decode(column: "time", as: Int64.self)),
            data: (try? JSONParser.parse(text)) ?? .null
        )
    }
}
