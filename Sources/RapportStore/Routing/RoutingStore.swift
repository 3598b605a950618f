import RapportCore

/// Routing configuration and state: rules, queues, agents, keyword sets, classifier models and settings.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol RoutingStore: Sendable {
    /// What routing's caches are built from, to tell whether they still hold.
    func routingFingerprint() async throws -> RoutingFingerprint

    /// Changes a user's availability. Going offline hands their active conversations back to their
    /// queues, which give them to others; coming online (or gaining capacity) lets their queues
    /// give them waiting conversations.
    func setAgentState(userID: String, changes: AgentStateChanges, actor: Actor, in tx: WriteTransaction) async throws -> AgentState

    /// Every user's availability that has been set, by user id.
    func agentStates() async throws -> [AgentState]

    func agentState(_ userID: String) async throws -> AgentState?

    /// Saves a newly trained model as the next version.
    func saveClassifierModel(encoded: [UInt8], summary: JSONValue, actor: Actor,
                             in tx: WriteTransaction) async throws -> StoredClassifierModel

    /// The newest trained model, if any.
    func latestClassifierModel() async throws -> StoredClassifierModel?

    /// Every model's version and summary, newest first (without the model bytes).
    func classifierModelVersions() async throws -> [JSONValue]

    /// Labelled history for training: the first inbound message of each resolved conversation
    /// with the key of the department that finally handled it (and `/queue` when it had one).
    func labelledConversations(limit: Int) async throws -> [(text: String, label: String)]

    /// Creates a keyword set, or replaces the terms of the one with that name (next version).
    func saveKeywordSet(name: String, wholeWords: Bool, terms: [String], actor: Actor,
                        in tx: WriteTransaction) async throws -> (StoredKeywordSet, created: Bool)

    /// Deletes a keyword set; refused while an enabled rule uses it.
    func deleteKeywordSet(name: String, actor: Actor, in tx: WriteTransaction) async throws

    func keywordSets() async throws -> [StoredKeywordSet]

    func keywordSet(_ nameOrID: String) async throws -> StoredKeywordSet?

    /// The names of every keyword set (without loading their terms).
    func keywordSetNames() async throws -> Set<String>

    /// Creates a queue in a department (by id or key); members must be users.
    func insertQueue(department: String, changes: QueueChanges, actor: Actor, in tx: WriteTransaction) async throws -> ConversationQueue

    func updateQueue(id: String, changes: QueueChanges, actor: Actor, in tx: WriteTransaction) async throws -> ConversationQueue

    func queues(departmentID: String?) async throws -> [ConversationQueue]

    func queue(_ id: String) async throws -> ConversationQueue?

    /// Stores a new rule at version 1; without a position it goes after the trigger's last rule.
    func insertRoutingRule(_ draft: RoutingRuleDraft, actor: Actor, in tx: WriteTransaction) async throws -> RoutingRule

    /// Replaces a rule's definition as its next version; the previous versions stay readable.
    func replaceRoutingRule(id: String, with draft: RoutingRuleDraft, expectedVersion: Int64?, actor: Actor,
                            in tx: WriteTransaction) async throws -> RoutingRule

    /// Retires a rule; its versions and the decisions that name it stay.
    func deleteRoutingRule(id: String, actor: Actor, in tx: WriteTransaction) async throws

    /// Every current rule, by trigger and position.
    func routingRules() async throws -> [RoutingRule]

    func routingRule(_ id: String) async throws -> RoutingRule?

    /// Every stored version of a rule, oldest first: `version`, `definition`, `actor`, `created_at`;
    /// none once the rule is deleted.
    func routingRuleVersions(_ id: String) async throws -> [JSONValue]

    /// The routing settings in force (the defaults until some are saved).
    func routingSettings() async throws -> RoutingSettings

    /// Replaces the routing settings; a triage department must exist.
    func setRoutingSettings(_ settings: RoutingSettings, actor: Actor, in tx: WriteTransaction) async throws

    /// Every department, queue (with members) and channel kind, read now.
    func routingDirectory() async throws -> RoutingDirectory
}

/// The SQL implementation of `RoutingStore`, on SQLite or PostgreSQL.
public struct SQLRoutingStore: RoutingStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
