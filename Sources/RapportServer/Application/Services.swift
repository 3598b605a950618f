import Prometheus
import RapportCore
import RapportStore
import RapportSync

/// What route handlers share: the store, identity rules, limits and the key cache.
struct Services: Sendable {
    let store: Store
    let normalizer: IdentityNormalizer
    let configuration: ServerConfiguration
    let keys: APIKeyCache
    let registry: PrometheusCollectorRegistry
    let catalog: RouteCatalog
    let duplicates: DuplicateMonitor
    /// Threads, classifies, routes and assigns what arrives.
    let router: ConversationRouter
    /// The RabbitMQ publisher, when a broker is configured.
    var publisher: EventPublisher? = nil
    /// The consumer of the inbound RabbitMQ queue, when one is configured.
    var inbound: InboundConsumer? = nil
}
