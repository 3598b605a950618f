/// One merge of customers into a survivor, kept so it can be explained and undone.
public struct MergeRecord: Sendable, Equatable {
    public var id: String
    public var survivorID: String
    public var absorbedIDs: [String]
    /// Per field, the customer whose value survived (fields where the records differed).
    public var decisions: [String: String]
    /// Fields the request set itself, over the survivorship rules.
    public var overriddenFields: [String]
    public var movedInteractions: Int
    public var movedIdentities: Int
    /// Conversations of the absorbed customers, now the survivor's.
    public var movedConversations: Int
    public var actor: Actor
    public var createdAt: Timestamp
    public var undoneAt: Timestamp?

    public init(id: String, survivorID: String, absorbedIDs: [String], decisions: [String: String], overriddenFields: [String],
                movedInteractions: Int, movedIdentities: Int, movedConversations: Int = 0, actor: Actor, createdAt: Timestamp, undoneAt: Timestamp? = nil) {
        self.id = id
        self.survivorID = survivorID
        self.absorbedIDs = absorbedIDs
        self.decisions = decisions
        self.overriddenFields = overriddenFields
        self.movedInteractions = movedInteractions
        self.movedIdentities = movedIdentities
        self.movedConversations = movedConversations
        self.actor = actor
        self.createdAt = createdAt
        self.undoneAt = undoneAt
    }

    public var json: JSONValue {
        var decisionObject = JSONObject()
        for key in decisions.keys.sorted() { decisionObject[key] = decisions[key].map(JSONValue.string) }
        var object = JSONObject()
        object["merge_id"] = .string(id)
        object["survivor_id"] = .string(survivorID)
        object["absorbed_ids"] = .array(absorbedIDs.map(JSONValue.string))
        object["decisions"] = .object(decisionObject)
        object["overridden_fields"] = .array(overriddenFields.map(JSONValue.string))
        object["moved"] = ["interactions": .integer(Int64(movedInteractions)), "identities": .integer(Int64(movedIdentities)),
                           "conversations": .integer(Int64(movedConversations))]
        object["actor"] = actor.json
        object["created_at"] = .string(createdAt.rfc3339)
        object["undone_at"] = undoneAt.map { .string($0.rfc3339) } ?? .null
        return .object(object)
    }

    public init?(stored value: JSONValue) {
        guard let object = value.objectValue, let id = object["merge_id"]?.stringValue,
              let survivor = object["survivor_id"]?.stringValue,
              let created = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        var decisions: [String: String] = [:]
        for (key, value) in object["decisions"]?.objectValue ?? JSONObject() { decisions[key] = value.stringValue }
        let actorObject = object["actor"]?.objectValue
        let moved = object["moved"]?.objectValue
        self.init(
            id: id, survivorID: survivor, absorbedIDs: (object["absorbed_ids"]?.arrayValue ?? []).compactMap(\.stringValue),
            decisions: decisions, overriddenFields: (object["overridden_fields"]?.arrayValue ?? []).compactMap(\.stringValue),
            movedInteractions: Int(moved?["interactions"]?.intValue ?? 0), movedIdentities: Int(moved?["identities"]?.intValue ?? 0),
            movedConversations: Int(moved?["conversations"]?.intValue ?? 0),
            actor: Actor(kind: actorObject?["type"]?.stringValue.flatMap(Actor.Kind.init(rawValue:)) ?? .system,
                         id: actorObject?["id"]?.stringValue),
            createdAt: created, undoneAt: object["undone_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
    }
}
