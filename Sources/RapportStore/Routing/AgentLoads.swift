import RapportCore

/// What assignment knows about agents within one write transaction: their availability, the
/// conversations they hold (count and capacity units), and each round-robin queue's last pick.
/// Read once per agent when first needed and kept true as the transaction saves conversations,
/// so routing a batch of messages into the same queues costs a read per agent, not two or three
/// statements per assignment. It lives and dies with its transaction: other writers (other nodes)
/// are seen again by the next one.
final class AgentLoads: @unchecked Sendable {
    // Only the writer task uses an instance, one job at a time.
    struct Load: Equatable {
        var count = 0
        var weight = 0.0
    }

    /// User → availability; `.some(nil)` when none was ever set.
    private var states: [String: AgentState?] = [:]
    private var loads: [String: Load] = [:]
    /// Queue id → who it gave its last conversation to.
    private var lastAssigned: [String: String?] = [:]

    func unknownStates(among users: [String]) -> [String] { users.filter { states[$0] == nil } }

    func remember(states found: [AgentState], asked: [String]) {
        for user in asked { states[user] = .some(nil) }
        for state in found { states[state.userID] = .some(state) }
    }

    func state(of user: String) -> AgentState? { states[user] ?? nil }

    func unknownLoads(among users: [String]) -> [String] { users.filter { loads[$0] == nil } }

    func remember(loads found: [String: Load], asked: [String]) {
        for user in asked { loads[user] = found[user] ?? Load() }
    }

    /// What `user` holds now, as far as this transaction knows (zero when not read).
    func load(of user: String) -> Load { loads[user] ?? Load() }

    func lastAssigned(in queueID: String) -> String?? { lastAssigned[queueID] }

    func remember(lastAssigned user: String?, in queueID: String) { lastAssigned[queueID] = .some(user) }

    /// A conversation counts against its assignee while open or pending.
    static func counts(_ conversation: Conversation) -> Bool {
        conversation.assigneeID != nil && (conversation.status == .open || conversation.status == .pending)
    }

    /// Moves a saved conversation's weight from what it was to what it is, for agents whose loads are known.
    func saved(_ conversation: Conversation, weight: Double, replacing previous: Conversation?, previousWeight: Double) {
        if let previous, Self.counts(previous), let user = previous.assigneeID, var load = loads[user] {
            load.count -= 1
            load.weight -= previousWeight
            loads[user] = load
        }
        if Self.counts(conversation), let user = conversation.assigneeID, var load = loads[user] {
            load.count += 1
            load.weight += weight
            loads[user] = load
        }
    }

    /// Whether the loads of any agent are known (saves work when none are).
    var knowsLoads: Bool { !loads.isEmpty }

    /// Forgets an agent, to be read again: their availability changed, or their load changed in a
    /// way not followed here.
    func forget(_ user: String) {
        states[user] = nil
        loads[user] = nil
    }
}
