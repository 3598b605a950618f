/// One entry of a customer's timeline with notes mixed in.
public enum ActivityEntry: Sendable, Equatable {
    case interaction(Interaction)
    case note(Note)

    /// When it happened: an interaction's occurrence, a note's writing.
    public var time: Timestamp {
        switch self {
        case .interaction(let interaction): interaction.occurredAt
        case .note(let note): note.createdAt
        }
    }

    public var id: String {
        switch self {
        case .interaction(let interaction): interaction.id
        case .note(let note): note.id
        }
    }

    public var json: JSONValue {
        switch self {
        case .interaction(let interaction):
            ["type": "interaction", "at": .string(time.rfc3339), "interaction": interaction.json]
        case .note(let note):
            ["type": "note", "at": .string(time.rfc3339), "note": note.json]
        }
    }

    /// One page of the mixed timeline from a page of each list read after the same cursor (both
    /// keyed by time, then id, so one cursor pages through both), in the same order: the first `limit` of both, and whether more remain after them.
    public static func merge(interactions: [Interaction], moreInteractions: Bool, notes: [Note], moreNotes: Bool,
                             newestFirst: Bool, limit: Int) -> (entries: [ActivityEntry], more: Bool) {
        let all = (interactions.map(ActivityEntry.interaction) + notes.map(ActivityEntry.note)).sorted {
            newestFirst ? ($0.time, $0.id) > ($1.time, $1.id) : ($0.time, $0.id) < ($1.time, $1.id)
        }
        let page = Array(all.prefix(limit))
        return (page, all.count > limit || moreInteractions || moreNotes)
    }
}
