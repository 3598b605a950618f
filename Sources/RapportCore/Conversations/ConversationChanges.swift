/// Validated body of `PATCH /v1/conversations/{id}`: what a person changes by hand.
public struct ConversationChanges: Sendable, Equatable {
    public var status: ConversationStatus?
    public var priority: ConversationPriority?
    /// A department id or key; clearing also clears the queue.
    public var department: PatchValue<String> = .unchanged
    /// A queue id, or a key within the (new) department.
    public var queue: PatchValue<String> = .unchanged
    /// A user id; `.clear` unassigns.
    public var assignee: PatchValue<String> = .unchanged
    public var tags: [String]?
    public var addTags: [String] = []
    public var removeTags: [String] = []
    /// `.clear` restores a suppressed conversation.
    public var suppressed: PatchValue<Suppression> = .unchanged
    public var snoozedUntil: Timestamp?

    public init() {}

    public var isEmpty: Bool {
        self == ConversationChanges()
    }

    public static let maxTags = 50

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> ConversationChanges {
        var reader = try InputReader(value)
        var changes = ConversationChanges()
        changes.status = reader.enumeration("status")
        changes.priority = reader.enumeration("priority")
        changes.department = reader.patchString("department_id", maxLength: 64)
        changes.queue = reader.patchString("queue_id", maxLength: 64)
        changes.assignee = reader.patchString("assignee_id", maxLength: 64)
        changes.tags = reader.stringList("tags", maxCount: maxTags, maxLength: 64).map(Self.normalizedTags)
        changes.addTags = Self.normalizedTags(reader.stringList("add_tags", maxCount: maxTags, maxLength: 64) ?? [])
        changes.removeTags = Self.normalizedTags(reader.stringList("remove_tags", maxCount: maxTags, maxLength: 64) ?? [])
        changes.suppressed = reader.patchEnumeration("suppressed")
        changes.snoozedUntil = reader.timestamp("snoozed_until")
        if changes.tags != nil, !(changes.addTags.isEmpty && changes.removeTags.isEmpty) {
            reader.fail("tags", "give either tags or add_tags/remove_tags, not both")
        }
        if changes.status == .snoozed, changes.snoozedUntil == nil {
            reader.fail("snoozed_until", "is required when status is snoozed")
        }
        if changes.snoozedUntil != nil, changes.status != .snoozed {
            reader.fail("snoozed_until", "only applies with status snoozed")
        }
        if case .set = changes.queue, case .clear = changes.department {
            reader.fail("queue_id", "a queue needs a department")
        }
        try reader.finish()
        if changes.isEmpty { throw ValidationFailure(field: "body", message: "nothing to change") }
        return changes
    }

    /// Tags are lower-cased, trimmed, and kept once each in first-seen order.
    public static func normalizedTags(_ tags: [String]) -> [String] {
        var seen: Set<String> = []
        return tags.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
