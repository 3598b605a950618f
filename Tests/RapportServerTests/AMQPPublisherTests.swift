import Foundation
import NIOCore
import RapportAMQP
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// The event publisher against the RabbitMQ of RAPPORT_TEST_AMQP_URL (skipped without it).
@Suite("AMQP event publisher", .enabled(if: TestBroker.isAvailable))
struct AMQPPublisherTests {
    @Test("events go out after the publisher's start, in log order, as persistent CloudEvents with <entity>.<action> keys; the filter selects; the cursor follows the confirms",
          arguments: Backend.available)
    func publishesTheLog(backend: Backend) async throws {
        // Before the publisher's first run: not published (history is not replayed into a new broker).
        try await Self.withPublisher(backend, name: "events", filter: #"type.startsWith("rapport.customer.")"#, before: { store in
            _ = try await store.write { tx in try await store.customers.createCustomer(NewCustomer(name: "Before"), actor: .system, in: tx) }
        }) { store, publisher, publishing, connection in
            #expect(await publisher.state.connected)
            let suffix = publishing.exchange.split(separator: ".").last.map(String.init) ?? ""
            for index in 0..<30 {
                _ = try await store.write { tx in try await store.customers.createCustomer(NewCustomer(name: "Person \(index)"), actor: .system, in: tx) }
                if index % 3 == 0 {
                    _ = try await store.write { tx in try await store.organization.insertChannel(kind: .web, name: "Shop \(suffix) \(index)", settings: [:], actor: .system, in: tx) }
                }
            }
            let head = try await store.events.eventLogHead()
            let expected = try await store.events.events(after: 0, limit: 1_000).filter { $0.type.hasPrefix("rapport.customer.") && $0.sequence > 1 }

            let channel = try await connection.openChannel()
            try await channel.basicQos(prefetchCount: 100)
            let consumer = try await channel.basicConsume(queue: publishing.queue!)
            var received: [AMQPDelivery] = []
            for try await delivery in consumer {
                received.append(delivery)
                try await channel.basicAck(deliveryTag: delivery.deliveryTag)
                if received.count == expected.count { break }
            }
            #expect(received.map(\.properties.messageID) == expected.map(\.id))
            #expect(received.allSatisfy { $0.routingKey == "customer.created" && $0.exchange == publishing.exchange })
            #expect(received.allSatisfy { $0.properties.deliveryMode == 2 && $0.properties.contentType == "application/cloudevents+json" })
            let first = try JSONParser.parse(String(decoding: received[0].body.readableBytesView, as: UTF8.self))
            #expect(first == expected[0].cloudEvent)
            // The cursor reaches the head once the broker has confirmed everything.
            try await waitUntil("the amqp position to reach \(head)") { try await store.events.consumerPosition("amqp") == head }
            #expect(try await store.events.consumerPosition("amqp") == head)
            #expect(await publisher.state.messages == expected.count)
        }
    }

    @Test("a department's private note never reaches the broker: the open note's event does, the private one's and notifications do not",
          arguments: Backend.available)
    func privateNotesStayOffTheBroker(backend: Backend) async throws {
        let filter = #"type.startsWith("rapport.note.") || type.startsWith("rapport.notification.")"#
        try await Self.withPublisher(backend, name: "notes", filter: filter) { store, _, publishing, connection in
            let service = try #require(try await store.organization.department("service"))
            let (secret, open) = try await store.write { tx in
                let ana = try await store.organization.insertUser(
                    UserChanges(email: "ana@example.com", name: "Ana", role: .agent, departmentID: .set(service.id), active: true),
                    actor: .system, in: tx)
                _ = try await store.organization.insertUser(
                    UserChanges(email: "sam@example.com", name: "Sam", role: .agent, departmentID: .set(service.id), active: true),
                    actor: .system, in: tx)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Mia"), actor: .system, channelID: nil, in: tx)
                let author = Colleague(actor: Actor(kind: .user, id: ana.id), departmentID: service.id, moderates: false)
                let secret = try await store.notes.createNote(
                    NoteDraft(customerID: customer.id, conversationID: nil, body: "Refund fraud suspected @sam", visibility: .department),
                    author: author, in: tx)
                let open = try await store.notes.createNote(
                    NoteDraft(customerID: customer.id, conversationID: nil, body: "Prefers email @sam"), author: author, in: tx)
                return (secret, open)
            }
            let head = try await store.events.eventLogHead()
            // The publisher reads the log in order: once it has confirmed everything up
            // to the head, whatever it would have sent is in the queue.
            try await waitUntil("the amqp position to reach \(head)") { try await store.events.consumerPosition("amqp") == head }
            let channel = try await connection.openChannel()
            // A confirmed message is in its queue: the queue holds exactly what was sent.
            let waiting = try await channel.queueDeclare(name: publishing.queue!, passive: true).messageCount
            #expect(waiting == 1, "only the open note's event is published")
            let consumer = try await channel.basicConsume(queue: publishing.queue!)
            var bodies: [String] = []
            for try await delivery in consumer {
                bodies.append(String(decoding: delivery.body.readableBytesView, as: UTF8.self))
                try await channel.basicAck(deliveryTag: delivery.deliveryTag)
                if bodies.count == Int(waiting) { break }
            }
            #expect(bodies.first?.contains(open.id) == true, "\(bodies)")
            #expect(bodies.allSatisfy { !$0.contains(secret.id) && !$0.contains("Refund fraud") && !$0.contains("rapport.notification.") })
        }
    }

    @Test("two nodes: one publishes and the other stands by; when the first stops, the second goes on from the cursor",
          arguments: Backend.available)
    func oneNodePublishes(backend: Backend) async throws {
        let url = try #require(TestBroker.url)
        let broker = try AMQPConfiguration(url: url)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let publishing = EventPublishing(exchange: "rapport.test.events.\(suffix)", queue: "rapport.test.nodes.\(suffix)")
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { store in
                let nodes = (0..<2).map { _ in
                    EventPublisher(store: store, configuration: broker, publishing: publishing, logger: TestDatabases.logger)
                }
                let tasks = nodes.map { node in Task { try await node.run() } }
                defer { tasks.forEach { $0.cancel() } }
                let states = try await eventually("one node connected and the other standing by") {
                    let states = [await nodes[0].state, await nodes[1].state]
                    return states.contains(where: \.connected) && states.contains(where: \.standby) ? states : nil
                }
                #expect(states.filter(\.connected).count == 1 && states.filter(\.standby).count == 1, "\(states)")
                let active = states[0].connected ? 0 : 1
                let start = try await store.events.eventLogHead()

                let connection = try await AMQPConnection.connect(broker, logger: TestDatabases.logger)
                let channel = try await connection.openChannel()
                // One iterator for the whole test: a consumer's deliveries can be iterated once.
                var deliveries = try await channel.basicConsume(queue: publishing.queue!).makeAsyncIterator()
                var received: [String] = []
                func receive(until count: Int) async throws {
                    while Set(received).count < count, let delivery = try await deliveries.next() {
                        received.append(delivery.properties.messageID ?? "")
                        try await channel.basicAck(deliveryTag: delivery.deliveryTag)
                    }
                }
                for index in 0..<20 {
                    _ = try await store.write { tx in try await store.customers.createCustomer(NewCustomer(name: "First \(index)"), actor: .system, in: tx) }
                }
                try await receive(until: 20)
                #expect(received.count == 20, "each event once while one node publishes")

                tasks[active].cancel()
                for index in 0..<10 {
                    _ = try await store.write { tx in try await store.customers.createCustomer(NewCustomer(name: "Second \(index)"), actor: .system, in: tx) }
                }
                let taken = ContinuousClock.now
                try await receive(until: 30)
                #expect(ContinuousClock.now - taken < .seconds(8), "the stopped node gave its lease up")
                #expect(await nodes[1 - active].state.connected)
                let expected = try await store.events.events(after: start, limit: 100).map(\.id)
                var seen: Set<String> = []
                #expect(received.filter { seen.insert($0).inserted } == expected)
                _ = try await channel.queueDelete(name: publishing.queue!)
                try await channel.exchangeDelete(name: publishing.exchange)
                try await connection.close()
            }
        }
    }

    /// Runs `body` with a running store, a publisher of its log (connected) to a fresh exchange and
    /// queue whose events pass `filter`, and a connection to read the queue; `before` runs before
    /// the publisher starts. The exchange and queue are removed afterwards.
    static func withPublisher(_ backend: Backend, name: String, filter: String, before: @Sendable (Store) async throws -> Void = { _ in },
                              _ body: @Sendable (Store, EventPublisher, EventPublishing, AMQPConnection) async throws -> Void) async throws {
        let broker = try AMQPConfiguration(url: try #require(TestBroker.url))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let publishing = EventPublishing(exchange: "rapport.test.\(name).\(suffix)", queue: "rapport.test.\(name).\(suffix)",
                                         filter: .cel(try CompiledExpression(filter: filter)))
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { store in
                try await before(store)
                let publisher = EventPublisher(store: store, configuration: broker, publishing: publishing, logger: TestDatabases.logger)
                let connection = try await AMQPConnection.connect(broker, logger: TestDatabases.logger)
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await publisher.run() }
                        try await waitUntil("the publisher to connect") { await publisher.state.connected }
                        try await body(store, publisher, publishing, connection)
                        group.cancelAll()
                    }
                    let channel = try await connection.openChannel()
                    _ = try await channel.queueDelete(name: publishing.queue!)
                    try await channel.exchangeDelete(name: publishing.exchange)
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
        }
    }
}
