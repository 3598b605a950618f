import Hummingbird
import HummingbirdWebSocket
import Logging
import Prometheus
import RapportConsole
import RapportChannels
import RapportCore
import RapportStore
import RapportSync
import ServiceLifecycle

/// Builds the Rapport HTTP application on an opened store; `rapport serve` and the tests call this.
///
/// The store is added to the application's services, so it runs (and drains its writer on
/// graceful shutdown) with the server. `openEventSockets` ends the event WebSockets with their
/// resume positions when it is run in a service group after the application (see `rapport serve`).
public func buildApplication(
    configuration: ServerConfiguration, store: Store, logger: Logger,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), catalog: RouteCatalog = RouteCatalog(),
    latencyClock: any Clock<Duration> = ContinuousClock(),
    clockShift: ClockShift? = nil,
    openEventSockets: OpenEventSockets = OpenEventSockets(),
    announceFirstAdminKey: (@Sendable (String) -> Void)? = nil,
    announceFirstAdminLink: (@Sendable (String) -> Void)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let normalizer: IdentityNormalizer
    do {
        normalizer = try IdentityNormalizer(defaultRegion: configuration.defaultPhoneRegion)
    } catch {
        throw ConfigurationError(setting: "default-phone-region", message: error.message)
    }
    store.configureProcessActions(normalizer: normalizer, mailHostname: configuration.mail.hostname, publicURL: configuration.publicURL)
    let duplicates = DuplicateMonitor(store: store, logger: logger)
    let conversationRouter = ConversationRouter(store: store, logger: logger, loader: .standard)
    let segmentMonitor = SegmentMonitor(store: store, logger: logger)
    let importRunner = ImportRunner(store: store, normalizer: normalizer, logger: logger)
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
    let keys = APIKeyCache(access: store.access)
    let sessions = SessionCache(signIn: store.signIn)
    let services = Services(writer: store, access: store.access, normalizer: normalizer, configuration: configuration)
    let console = configuration.consoleAssetsFolder.map(ConsoleAssets.folder) ?? .embedded
    let chatHub = ChatHub(events: store.events, logger: logger)
    let parts = RouterParts(store: store, services: services, keys: keys, sessions: sessions,
                            hasher: PasswordHasher(cost: configuration.passwordHashCost), console: console,
                            registry: registry, latencyClock: latencyClock, clockShift: clockShift, catalog: catalog, chatHub: chatHub,
                            openSockets: openEventSockets,
                            monitor: duplicates, router: conversationRouter, segments: segmentMonitor, imports: importRunner, publisher: publisher, inbound: inbound)
    var background: [any Service] = [store, duplicates, conversationRouter, segmentMonitor, importRunner, webhooks, DeadlineWatcher(store: store, logger: logger, mailHostname: configuration.mail.hostname),
                                     ProcessTimerRunner(store: store, logger: logger), ProcessTriggers(store: store, logger: logger),
                                     ProcessActionWorker(store: store, policy: policy,
                                                         broker: configuration.messageQueue.map { ($0.broker, $0.publishing.exchange) }, logger: logger)]
    if let publisher { background.append(publisher) }
    if let inbound { background.append(inbound) }
    if let smtp = configuration.mail.smtp {
        do {
            background.append(try SMTPServer(configuration: smtp, store: store, normalizer: normalizer, logger: logger))
        } catch {
            throw ConfigurationError(setting: "smtp-tls-certificate", message: "cannot read the certificate or key: \(error)")
        }
    }
    do {
        background.append(try MailboxFetcher(store: store, normalizer: normalizer, attachmentMaxBytes: configuration.mail.attachmentMaxBytes,
                                             maxMessageBytes: configuration.mail.maxMessageBytes,
                                             trustedCertificatesPath: configuration.mail.mailboxTrustedCertificatesPath, logger: logger))
    } catch {
        throw ConfigurationError(setting: "mailbox-ca-file", message: "cannot read the certificates: \(error)")
    }
    if let relay = configuration.mail.relay {
        do {
            background.append(try MailSender(store: store, relay: relay, schedule: configuration.mail.retrySchedule, logger: logger))
        } catch {
            throw ConfigurationError(setting: "mail-relay-ca-file", message: "cannot read the certificates: \(error)")
        }
    }
    let router = buildRouter(parts)
    var app = Application(
        router: router,
        server: .rapport(webSocket: EventSocketController(events: store.events, keys: keys, sessions: sessions, openSockets: openEventSockets),
                         chat: ChatSocketController(organization: store.organization, chat: store.chat, hub: chatHub, writer: store,
                                                    normalizer: normalizer),
                         // A frame may carry a file a chat visitor sends (the event socket's requests are small).
                         configuration: .init(http1: .init(), ws: .init(maxFrameSize: ChatClientFrame.maxFrameBytes,
                                                                        autoPing: .enabled(timePeriod: .seconds(30))))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rapport"),
        services: background,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
    // Migrations run once the store's connections are up and before the first request is accepted.
    app.beforeServerStarts {
        try await store.migrate()
        if let announceFirstAdminKey, try await !store.access.hasActiveAdminKey() {
            let issued = try await store.write { tx in
                try await store.access.issueAPIKey(APIKeyRequest(name: "first admin key", role: .admin), actor: .system, in: tx)
            }
            announceFirstAdminKey(issued.secret)
        }
        // Until an admin can sign in to the console, each start prints a link to choose the first
        // admin's password (valid for a day, once).
        if let announceFirstAdminLink, try await store.signIn.needsFirstAdmin() {
            let issued = try await store.write { tx in
                try await store.signIn.createPasswordSetup(userID: nil, lifetimeSeconds: 24 * 3_600, actor: .system, in: tx)
            }
            announceFirstAdminLink(PasswordSetupsController<SQLSignInStore>.link(issued.token))
        }
    }
    return app
}

/// What the routers are built from: the store's areas, what every route shares, and the
/// background parts some routes report on or ask.
struct RouterParts {
    let store: Store
    let services: Services
    let keys: APIKeyCache
    let sessions: SessionCache
    let hasher: PasswordHasher
    let console: ConsoleAssets
    let registry: PrometheusCollectorRegistry
    /// What request latency is measured on.
    let latencyClock: any Clock<Duration>
    /// The movable clock of `--test-clock`; nil in production.
    let clockShift: ClockShift?
    let catalog: RouteCatalog
    let chatHub: ChatHub
    let openSockets: OpenEventSockets
    let monitor: DuplicateMonitor
    let router: ConversationRouter
    let segments: SegmentMonitor
    let imports: ImportRunner
    let publisher: EventPublisher?
    let inbound: InboundConsumer?
}

func buildRouter(_ parts: RouterParts) -> Router<RapportRequestContext> {
    let store = parts.store
    let services = parts.services
    let router = Router(context: RapportRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware(registry: parts.registry, clock: parts.latencyClock))
    router.add(middleware: ProblemMiddleware(catalog: parts.catalog))
    let configuration = parts.services.configuration
    router.add(middleware: ClosingRequestMiddleware(limit: { path in
        if path.hasPrefix("/v1/imports/"), path.hasSuffix("/file") { return Int(configuration.importFileBytes) }
        let large = path == "/v1/classifier/train" || path == "/v1/notes" || path.hasSuffix("/email-replies") || path.hasSuffix("/chat-replies")
        return large ? configuration.trainingBodyBytes : configuration.maxBodyBytes
    }))
    let operations = Routes(router: router, catalog: parts.catalog, prefix: "", group: nil)
    OperationsController(events: store.events, registry: parts.registry, publisher: parts.publisher, inbound: parts.inbound)
        .register(operations)
    ConsoleRoutes<RapportRequestContext>(assets: parts.console).register(on: router)
    // Signing in and using a password setup link: the only /v1 routes reached without credentials.
    let signIn = SessionController(signIn: store.signIn, services: services, sessions: parts.sessions, hasher: parts.hasher,
                                   throttle: SignInGuard())
    let setups = PasswordSetupsController(signIn: store.signIn, services: services, sessions: signIn, hasher: parts.hasher)
    let publicV1 = Routes(router: router, catalog: parts.catalog, prefix: "v1", group: router.group("v1"))
    signIn.registerPublic(publicV1)
    setups.registerPublic(publicV1)
    // A telephony provider's call events: signed with the channel's secret instead of a key.
    let calls = CallsController(calls: store.calls, organization: store.organization, services: services)
    calls.registerHooks(Routes(router: router, catalog: parts.catalog, prefix: "hooks", group: router.group("hooks")))
    // Users' private calendar feeds: the token in the path is the credential.
    let meetings = MeetingsController(meetings: store.meetings, services: services)
    meetings.registerFeeds(operations)
    // The web chat's widget script: loaded by any page of a site that embeds the chat.
    let chat = ChatController(conversations: store.conversations, chat: store.chat, hub: parts.chatHub, console: parts.console, services: services)
    chat.registerWidget(operations)
    // One-click unsubscribe links in marketing email: the token in the path is the credential.
    UnsubscribeController(consent: store.consent, services: services).register(operations)
    let v1Group = router.group("v1").add(middleware: AuthenticationMiddleware(keys: parts.keys, sessions: parts.sessions))
    let v1 = Routes(router: router, catalog: parts.catalog, prefix: "v1", group: v1Group)
    signIn.register(v1)
    setups.register(v1)
    CustomersController(customers: store.customers, interactions: store.interactions, merges: store.merges, recordTypes: store.recordTypes,
                        services: services)
        .register(v1)
    MergesController(merges: store.merges, services: services).register(v1)
    SyncController(sync: store.sync, services: services).register(v1)
    DuplicatesController(duplicates: store.duplicates, services: services, monitor: parts.monitor).register(v1)
    SubscriptionsController(subscriptions: store.subscriptions, services: services).register(v1)
    InteractionsController(interactions: store.interactions, services: services).register(v1)
    TasksController(tasks: store.tasks, services: services).register(v1)
    ProcessesController(processes: store.processes, events: store.events, services: services).register(v1)
    UserTasksController(processes: store.processes, services: services).register(v1)
    RecordTypesController(types: store.recordTypes, services: services).register(v1)
    RecordsController(types: store.recordTypes, records: store.records, services: services).register(v1)
    TemplatesController(types: store.recordTypes, services: services).register(v1)
    ConsentController(consent: store.consent, customers: store.customers, types: store.recordTypes).register(v1)
    InvoicingController(invoicing: store.invoicing, services: services).register(v1)
    SegmentsController(segments: store.segments, events: store.events, services: services, monitor: parts.segments,
                       recordTypes: store.recordTypes).register(v1)
    ImportsController(imports: store.imports, types: store.recordTypes, runner: parts.imports, services: services).register(v1)
    HandoffsController(handoffs: store.handoffs, services: services).register(v1)
    DepartmentFeedController(feed: store.departmentFeed, services: services).register(v1)
    if let shift = parts.clockShift { TestClockController(shift: shift).register(v1) }
    NotesController(notes: store.notes, customers: store.customers, services: services).register(v1)
    ActivityController(customers: store.customers, interactions: store.interactions, notes: store.notes, handoffs: store.handoffs,
                       records: store.records).register(v1)
    NotificationsController(notifications: store.notifications, customers: store.customers, conversations: store.conversations,
                            services: services).register(v1)
    ConversationsController(conversations: store.conversations, organization: store.organization, services: services).register(v1)
    QueuesController(routing: store.routing, organization: store.organization, services: services).register(v1)
    RoutingRulesController(customers: store.customers, routing: store.routing, organization: store.organization, services: services,
                           router: parts.router).register(v1)
    KeywordSetsController(routing: store.routing, services: services).register(v1)
    ClassifierController(routing: store.routing, services: services, router: parts.router).register(v1)
    DepartmentsController(organization: store.organization, services: services).register(v1)
    ChannelsController(organization: store.organization, services: services).register(v1)
    MailController(mail: store.mail, outbox: store.mailOutbox, organization: store.organization, services: services).register(v1)
    calls.register(v1)
    meetings.register(v1)
    chat.register(v1)
    UsersController(organization: store.organization, services: services).register(v1)
    AccessController(access: store.access, services: services, keys: parts.keys).register(v1)
    EventsController(events: store.events, services: services).register(v1)
    ReportsController(reports: store.reports).register(v1)
    AggregatesController(reports: store.reports, types: store.recordTypes).register(v1)
    EventSocketController(events: store.events, keys: parts.keys, sessions: parts.sessions, openSockets: parts.openSockets).register(v1)
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
