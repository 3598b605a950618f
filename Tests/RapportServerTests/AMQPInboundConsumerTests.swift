import Foundation
import Logging
import NIOCore
import RapportAMQP
import RapportCore
import RapportStore
@testable import RapportSync
import RapportTestSupport
import SQLKit
import Synchronization
import Testing

/// The RabbitMQ of the inbound tests: RAPPORT_TEST_AMQP_URL, skipped when unset.
enum InboundTestBroker {
    static var url: String? { TestBroker.url }

    static var isAvailable: Bool { url != nil }

    static let logger: Logger = {
        var logger = Logger(label: "rapport.test.amqp-inbound")
        logger.logLevel = ProcessInfo.processInfo.environment["RAPPORT_TEST_AMQP_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    static func configuration(name: String? = nil) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: url!)
        configuration.connectionName = name
        return configuration
    }

    static func uniqueName(_ purpose: String) -> String {
        "rapport.test.inbound-\(purpose).\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func withChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        let connection = try await AMQPConnection.connect(try configuration(), logger: logger)
        do {
            let channel = try await connection.openChannel()
            let result = try await body(channel)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Publishes with confirms, in order.
    static func publish(_ messages: [(properties: AMQPBasicProperties, body: String)], to queue: String) async throws {
        try await withChannel { channel in
            try await channel.confirmSelect()
            for message in messages {
                _ = channel.publishPipelined(exchange: "", routingKey: queue, body: ByteBuffer(string: message.body), properties: message.properties)
            }
            try await channel.waitForConfirms()
        }
    }

    /// Takes up to `count` messages off `queue`, waiting at most `timeout` for them (a bound that
    /// only a broken run reaches: it returns as soon as `count` arrived).
    static func drain(_ queue: String, count: Int, timeout: Duration = .seconds(10)) async throws -> [AMQPDelivery] {
        try await withChannel { channel in
            let consumer = try await channel.basicConsume(queue: queue, noAck: true)
            let collected = Collected()
            do {
                try await withTimeout(timeout) {
                    for try await delivery in consumer {
                        let done = collected.items.withLock { $0.append(delivery); return $0.count >= count }
                        if done { return }
                    }
                }
            } catch is TimedOut {
                // Fewer than `count` came: the caller's expectations say which are missing.
            }
            return collected.items.withLock { $0 }
        }
    }

    final class Collected: Sendable {
        let items = Mutex<[AMQPDelivery]>([])
    }

    /// Runs `body`, then deletes the queues whatever happened.
    static func removingQueues<T: Sendable>(_ names: [String], _ body: () async throws -> T) async throws -> T {
        func delete() async {
            _ = try? await withChannel { channel in
                for name in names { try await channel.queueDelete(name: name) }
            }
        }
        do {
            let result = try await body()
            await delete()
            return result
        } catch {
            await delete()
            throw error
        }
    }

    /// Runs rabbitmqctl and returns its output.
    @discardableResult
    static func rabbitmqctl(_ arguments: [String]) async throws -> String {
        try await TestBroker.rabbitmqctl(arguments)
    }
}

extension InboundStatus {
    var settled: Int { applied + replayed + deadLettered }
}

func interactionCount(_ store: Store) async throws -> Int {
    try await store.read { try await $0.raw("SELECT COUNT(*) AS n FROM interactions").first()?.decode(column: "n", as: Int.self) } ?? -1
}

@Suite(.serialized, .enabled(if: InboundTestBroker.isAvailable)) struct AMQPInboundConsumerTests {
    static let normalizer = try! IdentityNormalizer()

    /// A mix of valid messages, duplicates and every kind of malformed one, as a publisher of
    /// another system would send them; and what should come of them.
    struct Batch {
        var messages: [(properties: AMQPBasicProperties, body: String)] = []
        var validInteractions: Set<String> = []
        var validCustomers = 0
        var duplicates = 0
        /// Dead letters expected: message id (or body for those without) → text the reason must contain.
        var malformed: [String: String] = [:]
    }

    static func batch(count: Int, channelID: String, customerID: String) -> Batch {
        var batch = Batch()
        func interaction(_ i: Int, subject: String = "hello") -> String {
            #"{"channel_id": "\#(channelID)", "identity": "email:user\#(i)@example.com", "subject": "\#(subject)", "external_id": "ext-\#(i)"}"#
        }
        for i in 0..<count {
            let id = "msg-\(i)"
            switch i % 20 {
            case 3:
                batch.messages.append((AMQPBasicProperties(messageID: id), #"{"channel_id": "#))
                batch.malformed[id] = "body: malformed JSON"
            case 5:
                batch.messages.append((AMQPBasicProperties(messageID: id), #"{"identity": "email:x\#(i)@example.com", "colour": "red"}"#))
                batch.malformed[id] = "channel_id: "
            case 8:
                batch.messages.append((AMQPBasicProperties(messageID: id, type: "order"), "{}"))
                batch.malformed[id] = "type: unknown message type"
            case 11:
                batch.messages.append((AMQPBasicProperties(), #"{"channel_id": "\#(channelID)", "customer_id": "\#(customerID)", "note": \#(i)}"#))
                batch.malformed["no-id-\(i)"] = "message_id: "
            case 13:
                batch.messages.append((AMQPBasicProperties(messageID: id), #"{"channel_id": "chn_missing", "customer_id": "\#(customerID)"}"#))
                batch.malformed[id] = "channel_id: channel chn_missing does not exist"
            case 15:
                batch.messages.append((AMQPBasicProperties(messageID: id, type: "customer"), #"{"name": "Customer \#(i)", "emails": ["c\#(i)@example.com"]}"#))
                batch.validCustomers += 1
            case 17:
                // A publisher retry: the previous message again, same id and body.
                let previous = batch.messages[batch.messages.count - 1]
                batch.messages.append(previous)
                batch.duplicates += 1
            case 19:
                // The id of message i-1 reused for other content: one of the two is applied, the other refused.
                batch.messages.append((AMQPBasicProperties(messageID: "msg-\(i - 1)"), interaction(i - 1, subject: "changed")))
                batch.malformed["reused-\(i)"] = "message_id: message id msg-\(i - 1) reused with another body"
            default:
                batch.messages.append((AMQPBasicProperties(contentType: "application/json", deliveryMode: 2, messageID: id), interaction(i)))
                batch.validInteractions.insert("ext-\(i)")
            }
        }
        return batch
    }

    @Test(arguments: Backend.available)
    func appliesEachValidMessageOnceAndDeadLettersTheRest(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let queue = InboundTestBroker.uniqueName("apply")
            let deadLetterQueue = InboundConsumer.deadLetterQueue(for: queue)
            try await InboundTestBroker.removingQueues([queue, deadLetterQueue]) {
            let (channel, customer) = try await store.write { tx in
                let channel = try await store.organization.insertChannel(kind: .web, name: "ERP", settings: [:], actor: .system, in: tx)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Known", identities: []), actor: .system, in: tx)
                return (channel, customer)
            }
            let batch = Self.batch(count: 200, channelID: channel.id, customerID: customer.id)
            let messages = batch.messages + [(AMQPBasicProperties(messageID: "patch-1", type: "customer.patch"),
                                              #"{"customer_id": "\#(customer.id)", "patch": {"company": "Acme"}}"#)]
            let before = try await interactionCount(store)
            let consumer = InboundConsumer(store: store, normalizer: Self.normalizer, configuration: try InboundTestBroker.configuration(),
                                           queue: queue, prefetch: 64, logger: InboundTestBroker.logger)
            let running = Task { try await consumer.run() }
            try await waitUntil("the consumer to connect") { consumer.status.isConnected }
            try await InboundTestBroker.publish(messages, to: queue)
            let total = messages.count
            try await waitUntil("every message to be settled; \(consumer.status.settled) of \(total)") { consumer.status.settled >= total }
            running.cancel()
            try? await running.value
            let status = consumer.status
            // Every valid interaction once, by its external id; customers and the patch applied.
            let externalIDs = try await store.read { database in
                try await database.raw("SELECT external_id FROM interactions WHERE channel_id = \(bind: channel.id)").all()
                    .map { try $0.decode(column: "external_id", as: String.self) }
            }
            #expect(externalIDs.count == batch.validInteractions.count)
            #expect(Set(externalIDs) == batch.validInteractions)
            #expect(try await interactionCount(store) - before == batch.validInteractions.count)
            #expect(try await store.customers.customer(customer.id)?.company == "Acme")
            #expect(status.applied == batch.validInteractions.count + batch.validCustomers + 1)
            #expect(status.replayed == batch.duplicates)
            #expect(status.deadLettered == batch.malformed.count)
            #expect(status.requeued == 0)

            // The inbound queue is empty (all acked); each malformed message is dead-lettered with its reason.
            let remaining = try await InboundTestBroker.withChannel { try await $0.queueDeclare(name: queue, passive: true).messageCount }
            #expect(remaining == 0)
            let deadLetters = try await InboundTestBroker.drain(deadLetterQueue, count: batch.malformed.count)
            #expect(deadLetters.count == batch.malformed.count)
            var reasons: [String] = []
            for letter in deadLetters {
                let headers = letter.properties.headers ?? [:]
                guard case .string(let reason) = headers[InboundConsumer.DeadLetterHeader.error] else {
                    Issue.record("dead letter without a reason: \(letter.properties)")
                    continue
                }
                #expect(headers[InboundConsumer.DeadLetterHeader.originalQueue] == .string(queue))
                reasons.append(reason)
                if let id = letter.properties.messageID, let expected = batch.malformed[id] {
                    #expect(reason.contains(expected), "message \(id): \(reason)")
                }
            }
            for (key, expected) in batch.malformed where key.hasPrefix("no-id-") || key.hasPrefix("reused-") {
                #expect(reasons.contains { $0.contains(expected) }, "no dead letter says \(expected)")
            }
            }
        }
    }

    @Test func reconnectsAfterTheBrokerClosesTheConnection() async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            let queue = InboundTestBroker.uniqueName("reconnect")
            try await InboundTestBroker.removingQueues([queue, InboundConsumer.deadLetterQueue(for: queue)]) {
            let channel = try await store.write { tx in try await store.organization.insertChannel(kind: .web, name: "ERP", settings: [:], actor: .system, in: tx) }
            func messages(_ range: Range<Int>) -> [(properties: AMQPBasicProperties, body: String)] {
                range.map { i in
                    (AMQPBasicProperties(messageID: "r-\(i)"),
                     #"{"channel_id": "\#(channel.id)", "identity": "email:r\#(i)@example.com", "external_id": "r-\#(i)"}"#)
                }
            }
            let name = "rapport inbound test \(UUID().uuidString.prefix(8))"
            let consumer = InboundConsumer(store: store, normalizer: Self.normalizer, configuration: try InboundTestBroker.configuration(name: name),
                                           queue: queue, prefetch: 8, logger: InboundTestBroker.logger,
                                           backoff: AMQPBackoff(initial: .milliseconds(50), maximum: .milliseconds(500)))
            let running = Task { try await consumer.run() }
            do {
                try await waitUntil("the consumer to connect") { consumer.status.isConnected }
                try await InboundTestBroker.publish(messages(0..<20), to: queue)
                try await waitUntil("the first 20 applied; \(consumer.status.applied)") { consumer.status.applied == 20 }

                let connectionPID = try await TestBroker.connectionPID(named: name)
                try await InboundTestBroker.rabbitmqctl(["close_connection", connectionPID, "inbound reconnect test"])

                try await waitUntil("the consumer to reconnect; \(consumer.status)") { consumer.status.connections == 2 && consumer.status.isConnected }
                try await InboundTestBroker.publish(messages(20..<40), to: queue)
                try await waitUntil("all 40 applied; applied \(consumer.status.applied) of 40") { consumer.status.applied == 40 }
            } catch {
                running.cancel()
                try? await running.value
                throw error
            }
            running.cancel()
            try? await running.value
            #expect(try await interactionCount(store) == 40)
            }
        }
    }

    @Test func storeFailuresRequeueWithoutDeadLettering() async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            let queue = InboundTestBroker.uniqueName("outage")
            try await InboundTestBroker.removingQueues([queue, InboundConsumer.deadLetterQueue(for: queue)]) {
            let channel = try await store.write { tx in try await store.organization.insertChannel(kind: .web, name: "ERP", settings: [:], actor: .system, in: tx) }
            let messages = (0..<10).map { i in
                (AMQPBasicProperties(messageID: "o-\(i)"),
                 #"{"channel_id": "\#(channel.id)", "identity": "email:o\#(i)@example.com", "external_id": "o-\#(i)"}"#)
            }
            let consumer = InboundConsumer(store: store, normalizer: Self.normalizer, configuration: try InboundTestBroker.configuration(),
                                           queue: queue, prefetch: 16, logger: InboundTestBroker.logger)
            let running = Task { try await consumer.run() }
            do {
                try await waitUntil("the consumer to connect") { consumer.status.isConnected }
                // Every write now fails while the database still answers: not the messages' fault.
                try await store.write { tx in try await tx.execute("ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away") }
                try await InboundTestBroker.publish(messages, to: queue)
                try await waitUntil("20 requeued; requeued \(consumer.status.requeued)") { consumer.status.requeued >= 20 }
                #expect(consumer.status.applied == 0)
                #expect(consumer.status.deadLettered == 0)
                try await store.write { tx in try await tx.execute("ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys") }
                try await waitUntil("all 10 applied; \(consumer.status)") { consumer.status.applied == 10 }
                #expect(consumer.status.deadLettered == 0)
            } catch {
                running.cancel()
                try? await running.value
                throw error
            }
            running.cancel()
            try? await running.value
            #expect(try await interactionCount(store) == 10)
            }
        }
    }
}
