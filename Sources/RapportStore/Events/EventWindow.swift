import RapportCore
import SQLKit

/// Which event types a consumer reads: exact types and type prefixes (`rapport.queue.`).
public struct EventTypeFilter: Sendable, Equatable {
    public var types: Set<String>
    public var prefixes: Set<String>

    public init(types: Set<String> = [], prefixes: Set<String> = []) {
        self.types = types
        self.prefixes = prefixes
    }

    public func matches(_ type: String) -> Bool {
        types.contains(type) || prefixes.contains { type.hasPrefix($0) }
    }

    /// The SQL condition on `type`, with bound values only.
    var condition: SQLQueryString {
        var parts: [SQLQueryString] = []
        if !types.isEmpty { parts.append("type IN (\(binds: types.sorted()))") }
        for prefix in prefixes.sorted() { parts.append("substr(type, 1, CAST(\(bind: prefix.utf8.count) AS INTEGER)) = \(bind: prefix)") }
        guard !parts.isEmpty else { return "1 = 0" }
        return "(" + parts.joined(separator: " OR ") + ")"
    }
}

/// Events of the types a consumer reads, and how far the read covered: a consumer that did them
/// has done the log up to `reached` (the events between were of other types).
public struct EventWindow: Sendable {
    public var events: [Event]
    public var reached: Int64

    public init(events: [Event], reached: Int64) {
        self.events = events
        self.reached = reached
    }
}

extension EventLog {
    /// Events after `sequence` that pass `filter`, at most `limit`. Reads the head first: the
    /// committed log is always a prefix of sequences (they are handed out in commit order), so
    /// when fewer than `limit` match, every event up to that head has been looked at.
    static func window(after sequence: Int64, limit: Int, filter: EventTypeFilter, upTo cap: Int64? = nil,
                       on database: any SQLDatabase) async throws -> EventWindow {
        let head = min(try await self.head(on: database), cap ?? Int64.max)
        guard head > sequence else { return EventWindow(events: [], reached: sequence) }
        let rows = try await database.raw("""
            SELECT sequence, id, type, subject, time, data FROM events
            WHERE sequence > \(bind: sequence) AND sequence <= \(bind: head) AND 
            """ + filter.condition + " ORDER BY sequence LIMIT \(bind: limit)").all()
        let events = try rows.map(decode)
        return EventWindow(events: events, reached: events.count == limit ? events[events.count - 1].sequence : head)
    }
}
