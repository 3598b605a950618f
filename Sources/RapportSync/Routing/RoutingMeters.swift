import Logging
import Metrics
import RapportCore

/// Routing's metrics and its log of failed rules, shared by the router and routing at ingest.
struct RoutingMeters: Sendable {
    let logger: Logger
    let decisions = Counter(label: "rapport_routing_decisions_total")
    let ruleFailures = Counter(label: "rapport_routing_rule_failures_total")
    let eventFailures = Counter(label: "rapport_routing_event_failures_total")
    /// From an interaction's commit to its routing decision's commit.
    let latency = Metrics.Timer(label: "rapport_routing_latency")

    /// What routing one event did, once it has committed: its decisions (and their latency, one
    /// sample an event that decided anything) and the rules that failed.
    func record(decisions count: Int, latencyMicroseconds: Int64, failures: [RuleFailure]) {
        if count > 0 {
            decisions.increment(by: count)
            latency.recordMicroseconds(max(0, latencyMicroseconds))
        }
        for failure in failures {
            ruleFailures.increment()
            logger.warning("routing rule failed and was skipped", metadata: [
                "rule": "\(failure.ruleID)", "version": "\(failure.version)", "reason": "\(failure.reason)"])
        }
    }
}
