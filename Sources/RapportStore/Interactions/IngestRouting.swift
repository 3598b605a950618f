import Synchronization

/// Routing done in the transaction that stores the interactions, instead of by the router after
/// it reads their events: what is given it decides, from the transaction, whether it may (the
/// router set up for it in a store whose log numbers are fixed before commit) and routes or
/// leaves the batch to the router.
public protocol IngestRouting: Sendable {
    /// Routes the interactions this transaction ingested, when it may; never fails the batch for
    /// a reason of routing's own.
    func routeIngested(in tx: WriteTransaction) async throws
}

/// Where the store keeps what routes at ingest (set by the router when it starts).
final class IngestRoutingSlot: Sendable {
    private let current = Mutex<(any IngestRouting)?>(nil)

    var routing: (any IngestRouting)? { current.withLock { $0 } }

    func set(_ routing: (any IngestRouting)?) {
        current.withLock { $0 = routing }
    }
}

extension Store {
    /// Has `routing` route each ingest batch in its own transaction (nil: only the router does).
    public func routeAtIngest(with routing: (any IngestRouting)?) {
        ingestRouting.set(routing)
    }
}
