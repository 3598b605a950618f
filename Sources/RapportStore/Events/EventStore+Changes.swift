extension EventStore {
    /// Whether an event of `filter`'s types committed after `sequence`, up to `head`: answered from
    /// this process's memory of its own commits when it can (no read), else from the log. A worker
    /// that keeps what it last read of a table changed only by commits that log such events asks
    /// this instead of reading the table again at every commit. When it cannot tell, it says yes.
    public func hasEvents(after sequence: Int64, upTo head: Int64, matching filter: EventTypeFilter) async throws -> Bool {
        var position = sequence
        while position < head {
            let window = try await events(after: position, limit: 1, matching: filter)
            if !window.events.isEmpty { return true }
            guard window.reached > position else { return true }
            position = window.reached
        }
        return false
    }
}
