import RapportCore
import Synchronization

/// Routing done in the transaction that stores the interactions, instead of by the router after
/// it reads their events: what is given it decides, from the transaction, whether it may (the
/// router set up for it in a store whose log numbers are fixed before commit) and routes or
/// leaves the batch to the router.
public protocol IngestRouting: Sendable {
    /// What routing can work out of a message before it is written, off the writer (the content's
    /// keyword hits and prediction); nil when it will not route at ingest with it.
    func prepare(_ new: NewInteraction) -> PreparedRouting?

    /// Routes the interactions this transaction ingested, when it may; never fails the batch for
    /// a reason of routing's own.
    func routeIngested(in tx: WriteTransaction) async throws
}

/// A message's content as routing analysed it before the write, and with which of its resources
/// (`basisVersion`): routing at ingest uses it only while it still routes with those, and only for
/// the same text.
public struct PreparedRouting: Sendable {
    public var text: String
    public var analysis: ContentAnalysis
    public var basisVersion: Int

    public init(text: String, analysis: ContentAnalysis, basisVersion: Int) {
        self.text = text
        self.analysis = analysis
        self.basisVersion = basisVersion
    }
}

/// The preparations of the interactions a transaction ingested, by interaction id.
final class PreparedRoutings {
    static let key = "interactions.prepared_routing"
    var byInteraction: [String: PreparedRouting] = [:]
}

extension WriteTransaction {
    /// What routing prepared before the write for the interactions this transaction ingested, by
    /// interaction id (only those whose callers prepared them).
    public var preparedRoutings: [String: PreparedRouting] {
        batchState(PreparedRoutings.key) { PreparedRoutings() }.byInteraction
    }

    /// Keeps what routing prepared for the interaction `id` this transaction ingests.
    func keep(_ prepared: PreparedRouting, forInteraction id: String) {
        batchState(PreparedRoutings.key) { PreparedRoutings() }.byInteraction[id] = prepared
    }
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
