/// One entry of a customer's timeline with the internal side mixed in: the customer's
/// interactions, the notes written about them, the steps of handoffs between departments, and
/// the business records about them (a deal, an order, a booking) when they were made.
public enum ActivityEntry: Sendable, Equatable {
    case interaction(Interaction)
    case note(Note)
    case handoffStep(HandoffStepRecord)
    case record(BusinessRecord)

    /// When it happened: an interaction's occurrence, a note's writing, a handoff's step.
    public var time: Timestamp {
        switch self {
        case .interaction(let interaction): interaction.occurredAt
        case .note(let note): note.createdAt
        case .handoffStep(let step): step.at
        case .record(let record): record.createdAt
        }
    }

    public var id: String {
        switch self {
        case .interaction(let interaction): interaction.id
        case .note(let note): note.id
        case .handoffStep(let step): step.id
        case .record(let record): record.id
        }
    }

    public var json: JSONValue {
        switch self {
        case .interaction(let interaction):
            ["type": "interaction", "at": .string(time.rfc3339), "interaction": interaction.json]
        case .note(let note):
            ["type": "note", "at": .string(time.rfc3339), "note": note.json]
        case .handoffStep(let step):
            ["type": "handoff_step", "at": .string(time.rfc3339), "handoff_step": step.json]
        case .record(let record):
            ["type": "record", "at": .string(time.rfc3339), "record": record.json]
        }
    }

    /// One page of the mixed timeline from a page of each list read after the same cursor (all
    /// keyed by time, then id, so one cursor pages through them all), in the same order.
    public static func merge(interactions: [Interaction], moreInteractions: Bool, notes: [Note], moreNotes: Bool,
                             handoffSteps: [HandoffStepRecord] = [], moreHandoffSteps: Bool = false,
                             records: [BusinessRecord] = [], moreRecords: Bool = false,
                             newestFirst: Bool, limit: Int) -> (entries: [ActivityEntry], more: Bool) {
        TimeOrderedMerge.page([(interactions.map(ActivityEntry.interaction), moreInteractions), (notes.map(ActivityEntry.note), moreNotes),
                               (handoffSteps.map(ActivityEntry.handoffStep), moreHandoffSteps),
                               (records.map(ActivityEntry.record), moreRecords)],
                              newestFirst: newestFirst, limit: limit) { ($0.time, $0.id) }
    }
}
