import Synchronization

/// Deployed processes by definition id, parsed once: a version never changes after it is stored.
final class ProcessDefinitionCache: Sendable {
    private let entries = Mutex<[String: DeployedProcess]>([:])
    /// Beyond this many versions the cache starts over (they are read again as needed).
    private let limit = 1_000

    func get(_ id: String) -> DeployedProcess? {
        entries.withLock { $0[id] }
    }

    func put(_ deployed: DeployedProcess) {
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll() }
            entries[deployed.id] = deployed
        }
    }
}
