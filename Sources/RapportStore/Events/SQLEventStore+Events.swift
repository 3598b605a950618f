import RapportCore

extension SQLEventStore {
    /// Events after `sequence`, oldest first.
    public func events(after sequence: Int64, limit: Int) async throws -> [Event] {
        let cap = store.undurable?.readableHead
        return try await read { try await EventLog.read(after: sequence, limit: limit, upTo: cap, on: $0) }
    }

    public func events(after sequence: Int64, limit: Int, matching filter: EventTypeFilter) async throws -> EventWindow {
        // Up to the head this process announced (only once durable), what it committed itself
        // is known without a read; anything else in between is read.
        let known = store.knownHead
        if let window = store.recentEvents.window(after: sequence, limit: limit, matching: filter, upTo: known) { return window }
        // Further behind than the events kept, a stretch that surely holds none of the types is passed over.
        if store.recentCommitTypes.surelyNone(after: sequence, upTo: known, matching: filter) {
            return EventWindow(events: [], reached: known)
        }
        let cap = store.undurable?.readableHead
        return try await read { try await EventLog.window(after: sequence, limit: limit, filter: filter, upTo: cap, on: $0) }
    }

    /// The event at a log position.
    public func event(at sequence: Int64) async throws -> Event? {
        try await events(after: sequence - 1, limit: 1).first { $0.sequence == sequence }
    }

    /// The sequence of the newest committed event, read from the database.
    public func eventLogHead() async throws -> Int64 {
        try await read { try await EventLog.head(on: $0) }
    }
}
