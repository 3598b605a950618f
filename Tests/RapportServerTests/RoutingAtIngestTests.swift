import Foundation
import RapportCore
import RapportStore
import RapportTestSupport
import Testing

/// Routing in the commit that stores a message: on SQLite, while the router is caught up, an
/// ingest batch is routed in its own transaction, so the message's decision is there when the
/// POST answers; whatever it leaves, the router routes; nothing is routed twice.
@Suite("HTTP: routing in the commit that stores the message")
struct RoutingAtIngestTests {
    static func decisionsAtIngest(_ api: API) async throws -> Int64 {
        try #require(try await api.get("/v1/routing/status").json["decisions_at_ingest"]?.intValue)
    }

    static func decisions(_ api: API, customer: String) async throws -> [JSONValue] {
        let conversation = try #require(try await IngestThreadingTests.conversations(api, customer: customer).first)
        return try await api.get("/v1/conversations/\(try #require(conversation["id"]?.stringValue))/decisions").items
    }

    /// Posts messages (their customers added to `customers`) until one is routed in its own
    /// commit, the router caught up before each; the customer of that one, or nil after 20 tries
    /// (as on PostgreSQL). The router publishes what it routes with once it has read the log: from
    /// then on (SQLite) the next message is routed in its own commit.
    static func routeOneAtIngest(_ api: API, channel: String, customers: inout [String], body: String = "hello") async throws -> String? {
        for attempt in 0..<20 {
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let before = try await decisionsAtIngest(api)
            let posted = try await RoutingTests.post(api, channel: channel, from: "try\(attempt)@example.com", body: body)
            let customer = try #require(posted["customer_id"]?.stringValue)
            customers.append(customer)
            if try await decisionsAtIngest(api) == before + 1 { return customer }
        }
        return nil
    }

    /// Trains the model on `ClassifierRoutingTests.examples` and has routing use it (unsure
    /// messages to service's triage); returns the finance department's id, where refunds go.
    static func classifyWithAModel(_ api: API) async throws -> String {
        let trained = try await api.post("/v1/classifier/train", trainingExamples)
        #expect(trained.status == .created, "\(trained.text)")
        let settings = try await api.request(.put, "/v1/settings/routing",
                                             json: ["triage": ["department": "service"], "classifier": ["min_confidence": 0.5]])
        #expect(settings.status == .ok, "\(settings.text)")
        return try await RoutingTests.department(api, "finance")
    }

    /// The customer's conversation was routed to `finance` by the model's prediction, and that
    /// decision is already stored (no waiting: it committed with the message).
    static func expectRoutedByPrediction(_ api: API, customer: String, to finance: String,
                                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let decision = try #require(try await decisions(api, customer: customer).first, sourceLocation: sourceLocation)
        #expect(decision["reason"]?.stringValue == "prediction", "\(decision)", sourceLocation: sourceLocation)
        #expect(decision["prediction"]?["label"]?.stringValue == "finance", "\(decision)", sourceLocation: sourceLocation)
        let conversation = try #require(try await IngestThreadingTests.conversations(api, customer: customer).first, sourceLocation: sourceLocation)
        #expect(conversation["department_id"]?.stringValue == finance, sourceLocation: sourceLocation)
    }

    static let trainingExamples: JSONValue = ["examples": .array(ClassifierRoutingTests.examples.map { ["text": .string($0.0), "label": .string($0.1)] })]

    @Test("a caught-up router lets ingest route in its own commit; a rule saved just before applies; each message is routed once",
          arguments: Backend.available)
    func routedInItsOwnCommit(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let chat = try await api.createChannel(kind: "chat", name: "web chat")
            let service = try await RoutingTests.department(api, "service")
            let everything = try await api.post("/v1/rules", ["name": "Everything to service", "trigger": "interaction.created",
                                                              "actions": ["department": "service"]])
            #expect(everything.status == .created, "\(everything.text)")
            var customers: [String] = []
            let routedAtIngest = try await Self.routeOneAtIngest(api, channel: chat, customers: &customers)
            #expect((routedAtIngest != nil) == (backend == .sqlite), "routing at ingest is on SQLite only")
            if let routedAtIngest {
                // No waiting: the decision and the conversation's department committed with the message.
                let decisions = try await Self.decisions(api, customer: routedAtIngest)
                #expect(decisions.count == 1)
                #expect(decisions.first?["trigger"]?.stringValue == "interaction.created")
                let conversation = try #require(try await IngestThreadingTests.conversations(api, customer: routedAtIngest).first)
                #expect(conversation["department_id"]?.stringValue == service)
                // The router's saved position moved over the batch in the same commit.
                #expect(try await api.consumerPosition("router") == (try await api.eventHead()))
            }

            // A rule saved just before a message applies to it, whoever routes it.
            let urgent = try await api.post("/v1/rules", ["name": "Refunds are urgent", "trigger": "interaction.created", "position": 1,
                                                          "conditions": ["expression": #"interaction.body.contains("refund")"#],
                                                          "actions": ["priority": "urgent"]])
            #expect(urgent.status == .created, "\(urgent.text)")
            let refund = try await RoutingTests.post(api, channel: chat, from: "refund@example.com", body: "I want a refund")
            let refunder = try #require(refund["customer_id"]?.stringValue)
            customers.append(refunder)
            let routed = try await RoutingTests.routed(api, customer: refunder)
            #expect(routed["priority"]?.stringValue == "urgent")
            #expect(routed["department_id"]?.stringValue == service)

            // More messages, some routed at ingest and some by the router; then each has one decision.
            for number in 0..<10 {
                let posted = try await RoutingTests.post(api, channel: chat, from: "more\(number)@example.com", body: "message \(number)")
                customers.append(try #require(posted["customer_id"]?.stringValue))
            }
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            for customer in customers {
                let decisions = try await Self.decisions(api, customer: customer)
                #expect(decisions.count == 1, "customer \(customer): \(decisions.count) decisions")
            }
            let status = try await api.get("/v1/routing/status").json
            #expect(status["decisions"]?.intValue == Int64(customers.count), "\(status)")
            if backend == .postgres { #expect(status["decisions_at_ingest"]?.intValue == 0) }
        }
    }

    @Test("a rule saved in the commit that stores a message is read first: the router routes the message with it",
          arguments: Backend.available)
    func ruleInTheSameCommit(backend: Backend) async throws {
        try await withApp(backend) { api, _, store in
            let chat = try await api.createChannel(kind: "chat", name: "web chat")
            var customers: [String] = []
            // Routing at ingest is live (SQLite) before the commit that matters.
            _ = try await Self.routeOneAtIngest(api, channel: chat, customers: &customers)
            let before = try await Self.decisionsAtIngest(api)
            let new = NewInteraction(channelID: chat, party: .identity(Identity(kind: .email, value: "same@example.com")), body: "hello")
            let customer = try await store.write(prefetch: .ingest(new)) { tx in
                _ = try await store.routing.insertRoutingRule(
                    RoutingRuleDraft(name: "Everything urgent", trigger: .interactionCreated, actions: RoutingActions(priority: .urgent)),
                    actor: .system, in: tx)
                return try await store.interactions.ingestInteraction(new, actor: .system, in: tx).interaction.customerID
            }
            let routed = try await RoutingTests.routed(api, customer: customer)
            #expect(routed["priority"]?.stringValue == "urgent", "routed with the rule of its own commit")
            #expect(try await Self.decisionsAtIngest(api) == before, "left to the router")
        }
    }

    @Test("while a model classifies, a message analysed before its write is routed in its own commit by the prediction; one not analysed, or analysed with an older model, is left to the router",
          arguments: Backend.available)
    func classifiedBeforeTheWrite(backend: Backend) async throws {
        try await withApp(backend) { api, _, store in
            let finance = try await Self.classifyWithAModel(api)
            let chat = try await api.createChannel(kind: "chat", name: "chat")

            // Over HTTP the message is analysed on the request's thread, then routed in its commit.
            var customers: [String] = []
            let routedAtIngest = try await Self.routeOneAtIngest(api, channel: chat, customers: &customers, body: "我被重复扣款了，请退款")
            #expect((routedAtIngest != nil) == (backend == .sqlite), "routing at ingest is on SQLite only")
            if let routedAtIngest {
                try await Self.expectRoutedByPrediction(api, customer: routedAtIngest, to: finance)
            }

            // Not analysed before the write (as ingest from other parts of the store): the router routes it.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let before = try await Self.decisionsAtIngest(api)
            let unprepared = NewInteraction(channelID: chat, party: .identity(Identity(kind: .email, value: "unprepared@example.com")),
                                            body: "please refund the double charge")
            let customer = try await store.write(prefetch: .ingest(unprepared)) { tx in
                try await store.interactions.ingestInteraction(unprepared, actor: .system, in: tx).interaction.customerID
            }
            let routed = try await RoutingTests.routed(api, customer: customer)
            #expect(routed["department_id"]?.stringValue == finance)
            #expect(try await Self.decisionsAtIngest(api) == before, "left to the router")

            // Analysed with a model that is no longer current when it is written: the router routes it with the current one.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let stale = NewInteraction(channelID: chat, party: .identity(Identity(kind: .email, value: "stale@example.com")),
                                       body: "my invoice is wrong")
            let prepared = store.interactions.prepareIngest(stale)
            #expect((prepared != nil) == (backend == .sqlite), "prepared only where ingest routes")
            let retrained = try await api.post("/v1/classifier/train", Self.trainingExamples)
            #expect(retrained.status == .created, "\(retrained.text)")
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let staleBefore = try await Self.decisionsAtIngest(api)
            let staleCustomer = try await store.write(prefetch: .ingest(stale)) { tx in
                try await store.interactions.ingestInteraction(stale, actor: .system, prepared: prepared, in: tx).interaction.customerID
            }
            let staleRouted = try await RoutingTests.routed(api, customer: staleCustomer)
            let staleDecision = try #require(staleRouted["decisions"]?.arrayValue?.first)
            #expect(staleDecision["prediction"]?["model_version"]?.intValue == 2, "\(staleDecision)")
            #expect(try await Self.decisionsAtIngest(api) == staleBefore, "left to the router")
        }
    }

    @Test("with a model, an email analysed before its write (as the SMTP and IMAP intakes do) is routed by its prediction in its own commit")
    func mailClassifiedBeforeTheWrite() async throws {
        try await withApp(.sqlite) { api, _, store in
            let finance = try await Self.classifyWithAModel(api)
            let channel = try await api.post("/v1/channels", ["kind": "email", "name": "Support mail", "settings": ["address": "support@shop.example"]])
            let channelID = try #require(channel.json["id"]?.stringValue, "\(channel.text)")
            let normalizer = try IdentityNormalizer()
            var routedAtIngest: String?
            for attempt in 0..<20 where routedAtIngest == nil {
                try await api.waitForConsumer("router", toReach: try await api.eventHead())
                let before = try await Self.decisionsAtIngest(api)
                let raw = Array(("From: Li Wei <li\(attempt)@example.cn>\r\nTo: support@shop.example\r\nSubject: 扣款\r\n"
                    + "Message-ID: <refund-\(attempt)@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    + "我被重复扣款了，请退款\r\n").utf8)
                let received = store.mail.preparedForRouting(ReceivedMail(channelID: channelID, raw: raw, message: MailParser().parse(raw),
                                                                          envelopeFrom: "li\(attempt)@example.cn", envelopeTo: ["support@shop.example"],
                                                                          attachmentLimit: 1 << 20, normalizer: normalizer))
                #expect(received.preparedRouting != nil, "analysed for routing before the write")
                let record = try await store.write(prefetch: received.prefetch) { tx in try await store.mail.receive(received, in: tx) }
                if try await Self.decisionsAtIngest(api) == before + 1 { routedAtIngest = record.customerID }
            }
            let customer = try #require(routedAtIngest, "no email was routed in its own commit")
            try await Self.expectRoutedByPrediction(api, customer: customer, to: finance)
        }
    }
}
