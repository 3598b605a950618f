import Foundation
import Hummingbird
import Prometheus
import RapportCore
import RapportStore
import RapportSync

/// Health checks, Prometheus metrics and the OpenAPI document; no authentication.
struct OperationsController<Events: EventStore> {
    let events: Events
    let registry: PrometheusCollectorRegistry
    /// The RabbitMQ publisher and inbound consumer, when a broker is configured.
    let publisher: EventPublisher?
    let inbound: InboundConsumer?

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "health/live", live)
        routes.on(.get, "health/ready", ready)
        routes.on(.get, "metrics", metrics)
        routes.on(.get, "openapi.json", openAPI)
    }

    @Sendable func live(_ request: Request, context: RapportRequestContext) async throws -> Response {
        .json(["status": "ok"])
    }

    @Sendable func ready(_ request: Request, context: RapportRequestContext) async throws -> Response {
        var body: JSONObject = ["status": "ok", "database": "ok"]
        // A broker that cannot be reached does not make the API unready: events wait on the log and
        // are published once it is back. The state is reported for operators and probes that care.
        if let publisher = publisher { body["amqp_publisher"] = .string(await publisher.state.summary) }
        if let inbound = inbound {
            switch inbound.status.connection {
            case .connected: body["amqp_inbound"] = "connected"
            case .connecting: body["amqp_inbound"] = "connecting"
            case .disconnected(let reason): body["amqp_inbound"] = .string("disconnected: \(reason)")
            }
        }
        guard await events.ping() else {
            body["status"] = "unavailable"
            body["database"] = "unreachable"
            return .json(.object(body), status: .serviceUnavailable)
        }
        return .json(.object(body))
    }

    @Sendable func metrics(_ request: Request, context: RapportRequestContext) async throws -> Response {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_event_log", unitName: "head",
                                                                     helpText: "Sequence of the newest event on the log"), labels: [])
            .set(Double(events.knownHead))
        if let positions = try? await events.consumerPositions(), let head = try? await events.eventLogHead() {
            for consumer in positions {
                registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_consumer_lag", unitName: "events",
                                                                             helpText: "Events on the log a consumer has not read yet"),
                                            labels: [("consumer", consumer.name)])
                    .set(Double(max(0, head - consumer.position)))
            }
        }
        if let publisher = publisher {
            let link = await publisher.state
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_amqp_connected", unitName: "state",
                                                                         helpText: "1 while the link to the message broker is up"),
                                        labels: [("link", "publisher")])
                .set(Double(link.connected ? 1 : 0))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_amqp_standby", unitName: "state",
                                                                         helpText: "1 while another node of the cluster publishes and this one stands by"),
                                        labels: [("link", "publisher")])
                .set(Double(link.standby ? 1 : 0))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_amqp_messages", unitName: "total",
                                                                         helpText: "Messages confirmed by the broker or applied since the server started"),
                                        labels: [("link", "publisher")])
                .set(Double(link.messages))
        }
        if let inbound = inbound {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "rapport_amqp_connected", unitName: "state",
                                                                         helpText: "1 while the link to the message broker is up"),
                                        labels: [("link", "inbound")])
                .set(Double(inbound.status.isConnected ? 1 : 0))
        }
        return .bytes(registry.emitToBuffer(), status: .ok, contentType: "text/plain; version=0.0.4")
    }

    @Sendable func openAPI(_ request: Request, context: RapportRequestContext) async throws -> Response {
        .bytes(try OpenAPIDocument.bytes(), status: .ok, contentType: "application/json")
    }
}

/// The OpenAPI 3.1 document shipped with the server.
public enum OpenAPIDocument {
    public static func bytes() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw Problem(status: .internalServerError, type: "internal", title: "OpenAPI document missing")
        }
        return Array(try Data(contentsOf: url))
    }
}
