import Hummingbird
import HummingbirdWebSocket
import Logging
import Prometheus
import RapportCore
import RapportStore
import RapportSync
import ServiceLifecycle

/// Builds the Rapport HTTP application on an opened store; `rapport serve` and the tests call this.
///
/// The store is added to the application's services, so it runs (and drains its writer on
/// graceful shutdown) with the server.
public func buildApplication(
    configuration: ServerConfiguration, store: Store, logger: Logger,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), catalog: RouteCatalog = RouteCatalog(),
    announceFirstAdminKey: (@Sendable (String) -> Void)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let normalizer: IdentityNormalizer
    do {
        normalizer = try IdentityNormalizer(defaultRegion: configuration.defaultPhoneRegion)
    } catch {
        throw ConfigurationError(setting: "default-phone-region", message: error.message)
    }
    let duplicates = DuplicateMonitor(store: store, logger: logger)
    let conversationRouter = ConversationRouter(store: store, logger: logger, loader: .standard)
    let policy = NetworkAddressPolicy(allowPrivate: configuration.webhooksAllowPrivate)
    let webhooks = WebhookDispatcher(store: store, logger: logger, policy: policy, schedule: configuration.webhookRetrySchedule)
    let publisher = configuration.messageQueue.map {
        EventPublisher(store: store, configuration: $0.broker, publishing: $0.publishing, logger: logger)
    }
    let inbound = configuration.messageQueue.flatMap { settings in
        settings.inboundQueue.map {
            InboundConsumer(store: store, normalizer: normalizer, configuration: settings.broker, queue: $0,
                            prefetch: settings.prefetch, logger: logger)
        }
    }
    let services = Services(store: store, normalizer: normalizer, configuration: configuration,
                            keys: APIKeyCache(store: store), registry: registry, catalog: catalog, duplicates: duplicates, router: conversationRouter,
                            publisher: publisher, inbound: inbound)
    var background: [any Service] = [store, duplicates, conversationRouter, webhooks]
    if let publisher { background.append(publisher) }
    if let inbound { background.append(inbound) }
    let router = buildRouter(services)
    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: buildWebSocketRouter(services),
            configuration: .init(http1: .init(), ws: .init(autoPing: .enabled(timePeriod: .seconds(30))))
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rapport"),
        services: background,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
    // Migrations run once the store's connections are up and before the first request is accepted.
    app.beforeServerStarts {
        try await store.migrate()
        if let announceFirstAdminKey, try await !store.hasActiveAdminKey() {
            let issued = try await store.write { tx in
                try await tx.issueAPIKey(APIKeyRequest(name: "first admin key", role: .admin), actor: .system)
            }
            announceFirstAdminKey(issued.secret)
        }
    }
    return app
}

func buildRouter(_ services: Services) -> Router<RapportRequestContext> {
    let router = Router(context: RapportRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware(registry: services.registry))
    router.add(middleware: ProblemMiddleware())
    let operations = Routes(router: router, catalog: services.catalog, prefix: "", group: nil)
    OperationsController(services: services).register(operations)
    let v1Group = router.group("v1").add(middleware: AuthenticationMiddleware(keys: services.keys))
    let v1 = Routes(router: router, catalog: services.catalog, prefix: "v1", group: v1Group)
    CustomersController(services: services).register(v1)
    MergesController(services: services).register(v1)
    SyncController(services: services).register(v1)
    DuplicatesController(services: services).register(v1)
    SubscriptionsController(services: services).register(v1)
    InteractionsController(services: services).register(v1)
    ConversationsController(services: services).register(v1)
    QueuesController(services: services).register(v1)
    RoutingRulesController(services: services).register(v1)
    KeywordSetsController(services: services).register(v1)
    ClassifierController(services: services).register(v1)
    DepartmentsController(services: services).register(v1)
    ChannelsController(services: services).register(v1)
    UsersController(services: services).register(v1)
    AccessController(services: services).register(v1)
    EventsController(services: services).register(v1)
    EventSocketController(services: services).register(v1)
    return router
}

/// The router that answers WebSocket handshakes; a request it does not upgrade goes on to `buildRouter`'s.
func buildWebSocketRouter(_ services: Services) -> Router<RapportRequestContext> {
    let router = Router(context: RapportRequestContext.self)
    EventSocketController(services: services).register(webSocket: router)
    return router
}

/// A setting that makes starting impossible, named so the operator can fix it.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var setting: String
    public var message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "invalid setting \(setting): \(message)" }
}
