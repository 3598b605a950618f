import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    /// How deep signals may set off signals within one transaction before the broadcast is refused
    /// (a model whose signals set each other off for ever).
    static let signalDepthLimit = 16

    @TaskLocal static var signalDepth = 0

    public func broadcast(_ signal: String, variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> SignalBroadcast {
        guard Self.signalDepth < Self.signalDepthLimit else {
            throw StoreError(.conflict, "signal \(signal) was set off by signals \(Self.signalDepthLimit) deep: the processes throw signals that set each other off without end")
        }
        return try await Self.$signalDepth.withValue(Self.signalDepth + 1) {
            // Those waiting when the broadcast begins; what it sets off and waits anew waits for the next one.
            let waiting = try await tx.rows("""
                SELECT instance_id, token, node FROM process_signal_subscriptions WHERE signal = \(bind: signal)
                ORDER BY created_at, instance_id, token, node
                """)
            var result = SignalBroadcast()
            for row in waiting {
                let (instanceID, token, node) = (try row.string("instance_id"), try row.int64("token"), try row.string("node"))
                guard try await takeSubscription("process_signal_subscriptions", instanceID, token, node, in: tx) else { continue }
                do {
                    result.caught.append(try await advance(instanceID, with: .signalReceived(token: Int(token), node: node, variables: variables),
                                                           by: actor, in: tx))
                } catch let error as StoreError where error.code == .conflict && error.message.hasPrefix("process instance") {
                    // An earlier catch of this broadcast ended the token (a terminate, an interrupting boundary).
                    continue
                }
            }
            for deployed in try await newestDefinitions(in: tx, matching: { !$0.signalStarts.isEmpty }) {
                guard let start = deployed.process.signalStart(named: signal) else { continue }
                result.started.append(try await begin(deployed, from: start, variables: variables, customerID: nil, businessKey: nil,
                                                      by: actor, in: tx))
            }
            return result
        }
    }
}
