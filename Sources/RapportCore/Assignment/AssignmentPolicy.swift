/// Picks who takes a conversation: pure, given the queue's members as they stand now.
public enum AssignmentPolicy {
    /// One member as assignment sees them.
    public struct Candidate: Sendable, Equatable {
        public var userID: String
        public var status: AgentStatus
        public var capacity: Double
        public var skills: Set<String>
        /// Capacity units their active conversations take now.
        public var load: Double
        /// How many active conversations they hold now.
        public var activeCount: Int

        public init(userID: String, status: AgentStatus, capacity: Double, skills: Set<String>, load: Double, activeCount: Int) {
            self.userID = userID
            self.status = status
            self.capacity = capacity
            self.skills = skills
            self.load = load
            self.activeCount = activeCount
        }
    }

    /// The member to assign, or nil when nobody online has the skills and the room.
    ///
    /// - Parameters:
    ///   - candidates: the queue's members in the queue's member order.
    ///   - lastAssigned: who the queue gave its previous conversation to (for round robin).
    public static func choose(strategy: AssignmentStrategy, candidates: [Candidate], requiredSkills: [String], weight: Double,
                              lastAssigned: String?) -> String? {
        guard strategy != .manual else { return nil }
        let eligible = candidates.filter { candidate in
            candidate.status == .online && candidate.load + weight <= candidate.capacity + 1e-9
                && requiredSkills.allSatisfy(candidate.skills.contains)
        }
        guard !eligible.isEmpty else { return nil }
        switch strategy {
        case .manual:
            return nil
        case .roundRobin:
            // The first eligible member after the last one assigned, wrapping around.
            let order = candidates.map(\.userID)
            let start = lastAssigned.flatMap { order.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
            let eligibleIDs = Set(eligible.map(\.userID))
            for offset in 0..<order.count {
                let id = order[(start + offset) % order.count]
                if eligibleIDs.contains(id) { return id }
            }
            return nil
        case .leastOpen:
            return eligible.min { ($0.activeCount, $0.load, $0.userID) < ($1.activeCount, $1.load, $1.userID) }?.userID
        case .mostAvailable:
            return eligible.min { lhs, rhs in
                let left = lhs.capacity - lhs.load, right = rhs.capacity - rhs.load
                return left != right ? left > right : lhs.userID < rhs.userID
            }?.userID
        }
    }
}
