import Foundation
import NIOCore
import RapportAMQP
import RapportCore
import RapportFlow
import RapportStore
import RapportSync
import RapportTestSupport
import SQLKit
import Testing

/// `rapport.amqp` against the RabbitMQ of RAPPORT_TEST_AMQP_URL (skipped without it): a process
/// step that publishes to the broker, done by Rapport's own worker with the job's id as message
/// id; a message no queue takes is tried again, then an incident.
@Suite("AMQP process actions", .enabled(if: TestBroker.isAvailable))
struct ProcessAMQPActionTests {
    static func xml(exchange: String, routingKey: String) -> String {
        ProcessEventsTests.definitions("""
            <bpmn:process id="announce_order" isExecutable="true">
              <bpmn:startEvent id="s"/>
              <bpmn:serviceTask id="tell_warehouse">
                <bpmn:extensionElements>
                  <rapport:taskDefinition type="rapport.amqp" resultVariable="published"/>
                  <rapport:ioMapping>
                    <rapport:input source="'\(exchange)'" target="exchange"/>
                    <rapport:input source="'\(routingKey)'" target="routing_key"/>
                    <rapport:input source="{'order': order_id, 'items': items}" target="body"/>
                  </rapport:ioMapping>
                </bpmn:extensionElements>
              </bpmn:serviceTask>
              <bpmn:endEvent id="e"/>
              <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tell_warehouse"/>
              <bpmn:sequenceFlow id="f2" sourceRef="tell_warehouse" targetRef="e"/>
            </bpmn:process>
            """)
    }

    /// The instance, once it has completed.
    static func completed(_ id: String, in store: Store) async throws -> ProcessInstanceRecord? {
        guard let (found, _) = try await store.processes.instance(id), found.status == .completed else { return nil }
        return found
    }

    /// The error of the instance's job's last attempt, once there is one.
    static func lastError(of instanceID: String, in store: Store) async throws -> String? {
        let row = try await store.read { database in
            try await database.raw("SELECT last_error FROM process_jobs WHERE instance_id = \(bind: instanceID)").first()
        }
        return try row?.decode(column: "last_error", as: String?.self)
    }

    @Test("the message reaches the bound queue persistent, with the job's id as message id, and the instance goes on; an unroutable one is returned and tried again (an incident when its attempts are used up)",
          arguments: Backend.available)
    func publishes(backend: Backend) async throws {
        let broker = try AMQPConfiguration(url: try #require(TestBroker.url))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let exchange = "rapport.test.actions.\(suffix)"
        let queue = "rapport.test.actions.\(suffix)"
        try await TestDatabases.withLocation(backend) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { store in
                let connection = try await AMQPConnection.connect(broker, logger: TestDatabases.logger)
                let setup = try await connection.openChannel()
                // As the worker declares its default exchange (a declare with other settings would close its channel).
                try await setup.exchangeDeclare(name: exchange, type: "topic", durable: true)
                _ = try await setup.queueDeclare(name: queue, durable: false)
                try await setup.queueBind(queue: queue, exchange: exchange, routingKey: "orders.*")
                let worker = ProcessActionWorker(store: store, policy: NetworkAddressPolicy(allowPrivate: true), broker: (broker, exchange),
                                                 logger: TestDatabases.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await worker.run() }
                    let routed = Self.xml(exchange: exchange, routingKey: "orders.created")
                    let unrouted = Self.xml(exchange: exchange, routingKey: "refunds.created").replacingOccurrences(of: "announce_order", with: "announce_refund")
                    let (instance, lost) = try await store.write { tx in
                        _ = try await store.processes.deploy(try BPMNReader.read(routed), xml: routed, by: .system, in: tx)
                        _ = try await store.processes.deploy(try BPMNReader.read(unrouted), xml: unrouted, by: .system, in: tx)
                        let instance = try await store.processes.startInstance(
                            ProcessStart(key: "announce_order", variables: ["order_id": "O-17", "items": 3]), by: .system, in: tx)
                        let lost = try await store.processes.startInstance(
                            ProcessStart(key: "announce_refund", variables: ["order_id": "O-18", "items": 1]), by: .system, in: tx)
                        return (instance, lost)
                    }
                    #expect(instance.status == .running, "published after the commit, not in it")

                    // The queue holds the message once the instance has gone on (the broker confirmed it first).
                    let done = try await eventually("the instance completes") { try await Self.completed(instance.id, in: store) }
                    #expect(done.state.variables["published"] == ["status": 200])
                    let channel = try await connection.openChannel()
                    #expect(try await channel.queueDeclare(name: queue, passive: true).messageCount == 1)
                    var deliveries = try await channel.basicConsume(queue: queue).makeAsyncIterator()
                    let delivery = try #require(try await deliveries.next())
                    try await channel.basicAck(deliveryTag: delivery.deliveryTag)
                    #expect(try JSONParser.parse(String(decoding: delivery.body.readableBytesView, as: UTF8.self)) == ["order": "O-17", "items": 3])
                    #expect(delivery.routingKey == "orders.created")
                    #expect(delivery.properties.deliveryMode == 2)
                    #expect(delivery.properties.messageID?.hasPrefix("job_") == true)
                    #expect(delivery.properties.contentType == "application/json")

                    // The refund's message has no queue: returned, tried again (1 s, 4 s, …), then an incident —
                    // the first attempt's failure is on the job before that.
                    let job = try await eventually("the refund's first attempt is recorded") { try await Self.lastError(of: lost.id, in: store) }
                    #expect(job.contains("no queue is bound for refunds.created"), "\(job)")
                    group.cancelAll()
                }
                _ = try await setup.queueDelete(name: queue)
                try await setup.exchangeDelete(name: exchange)
                try await connection.close()
            }
        }
    }
}
