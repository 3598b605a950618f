import RapportCore
import Synchronization

/// The store's hybrid logical clock: the writer reads it for every change, and so does what makes
/// a change ready before the writer takes it (`PreparedCustomer`), so every reading is newer than
/// every one before wherever it was taken. It survives rollbacks: readings only go up.
final class StoreHybridClock: Sendable {
    private let clock = Mutex(HybridClock())

    /// The provenance of a write by `actor`, newer than `newest` (the newest version of the record
    /// written) and than every reading before.
    func provenance(of actor: Actor, channelID: String?, at time: Timestamp, after newest: FieldVersion?) -> Provenance {
        let timestamp = clock.withLock { clock in
            if let newest { clock.observe(newest.timestamp) }
            return clock.now(physical: time.microseconds / 1_000)
        }
        let source = channelID ?? actor.id ?? actor.kind.rawValue
        return Provenance(version: FieldVersion(timestamp: timestamp, sourceID: source), channelID: channelID, actorID: actor.id)
    }

    /// Takes in a timestamp written elsewhere (already checked for skew), so later readings follow it.
    func observe(_ remote: HybridTimestamp) {
        clock.withLock { $0.observe(remote) }
    }
}
