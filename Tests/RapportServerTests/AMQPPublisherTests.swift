import Foundation
import NIOCore
import RapportAMQP
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// The event publisher against the RabbitMQ of RAPPORT_TEST_AMQP_URL (skipped without it).
@Suite("AMQP event publisher")
struct AMQPPublisherTests {
    static let brokerURL: String? = {
        let url = ProcessInfo.processInfo.environment["RAPPORT_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil { print("Rapport tests: RabbitMQ tests skipped: RAPPORT_TEST_AMQP_URL is not set") }
        return url
    }()

    @Test("events go out after the publisher's start, in log order, as persistent CloudEvents with <entity>.<action> keys; the filter selects; the cursor follows the confirms",
          arguments: Backend.available)
    func publishesTheLog(backend: Backend) async throws {
        guard let url = Self.brokerURL else { return }
        let broker = try AMQPConfiguration(url: url)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let publishing = EventPublishing(exchange: "rapport.test.events.\(suffix)", queue: "rapport.test.crm.\(suffix)",
                                         filter: .cel(try CompiledExpression(filter: #"type.startsWith("rapport.customer.")"#)))
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { store in
                // Before the publisher's first run: not published (history is not replayed into a new broker).
                _ = try await store.write { tx in try await tx.createCustomer(NewCustomer(name: "Before"), actor: .system) }
                let publisher = EventPublisher(store: store, configuration: broker, publishing: publishing, logger: TestDatabases.logger)
                let connection = try await AMQPConnection.connect(broker, logger: TestDatabases.logger)
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await publisher.run() }
                        for _ in 0..<200 where await !publisher.state.connected { try await Task.sleep(for: .milliseconds(50)) }
                        #expect(await publisher.state.connected)
                        for index in 0..<30 {
                            _ = try await store.write { tx in try await tx.createCustomer(NewCustomer(name: "Person \(index)"), actor: .system) }
                            if index % 3 == 0 {
                                _ = try await store.write { tx in try await tx.insertChannel(kind: .web, name: "Shop \(suffix) \(index)", settings: [:], actor: .system) }
                            }
                        }
                        let head = try await store.eventLogHead()
                        let expected = try await store.events(after: 0, limit: 1_000).filter { $0.type.hasPrefix("rapport.customer.") && $0.sequence > 1 }

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
                        for _ in 0..<100 where try await store.consumerPosition("amqp") != head { try await Task.sleep(for: .milliseconds(50)) }
                        #expect(try await store.consumerPosition("amqp") == head)
                        #expect(await publisher.state.messages == expected.count)
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
