/// Two customers the matcher thinks are one person, waiting for someone to decide.
public struct DuplicateCandidate: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting in the review queue.
        case open
        /// Merged (by a person or automatically); `mergeID` names the merge.
        case accepted
        /// Not the same customer; never proposed again.
        case rejected
        /// One of the two was merged elsewhere or deleted before anyone decided.
        case dismissed
    }

    public var id: String
    /// The older of the two (by id), the default survivor.
    public var firstID: String
    public var secondID: String
    public var probability: Double
    public var weight: Double
    /// Per field: the grade reached, its weight, whether term frequency adjusted it.
    public var explanation: JSONValue
    public var status: Status
    public var mergeID: String?
    public var decidedBy: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, firstID: String, secondID: String, probability: Double, weight: Double, explanation: JSONValue,
                status: Status = .open, mergeID: String? = nil, decidedBy: String? = nil, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.firstID = firstID
        self.secondID = secondID
        self.probability = probability
        self.weight = weight
        self.explanation = explanation
        self.status = status
        self.mergeID = mergeID
        self.decidedBy = decidedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["customer_ids"] = .array([.string(firstID), .string(secondID)])
        object["probability"] = .double(probability)
        object["weight"] = .double(weight)
        object["explanation"] = explanation
        object["status"] = .string(status.rawValue)
        object["merge_id"] = mergeID.map(JSONValue.string) ?? .null
        object["decided_by"] = decidedBy.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}

/// A pair the matcher scored above the review threshold.
public struct ProposedDuplicate: Sendable, Equatable {
    public var firstID: String
    public var secondID: String
    public var probability: Double
    public var weight: Double
    public var explanation: JSONValue

    /// Orders the two ids so a pair has one form whichever side found it.
    public init(_ one: String, _ other: String, probability: Double, weight: Double, explanation: JSONValue) {
        firstID = min(one, other)
        secondID = max(one, other)
        self.probability = probability
        self.weight = weight
        self.explanation = explanation
    }
}
