import Foundation
import NIOCore
import RapportAMQP
import RapportTestSupport
import Testing

@Suite("AMQP against RabbitMQ", .enabled(if: AMQPTestBroker.isAvailable), .serialized, .timeLimit(.minutes(1)))
struct AMQPIntegrationTests {
    @Test func handshakeAndClose() async throws {
        let connection = try await AMQPConnection.connect(try AMQPTestBroker.configuration(), logger: AMQPTestBroker.logger)
        #expect(connection.serverProperties["product"] == "RabbitMQ")
        #expect(connection.negotiated.frameMax == 131_072)
        #expect(connection.negotiated.heartbeat == 60)
        #expect(!connection.isBlocked)
        let channel = try await connection.openChannel()
        #expect(channel.id == 1)
        try await connection.close()
        #expect(await connection.waitUntilClosed() == nil)
        #expect(!connection.isOpen)
        await #expect(throws: AMQPError.self) { _ = try await connection.openChannel() }
        await #expect(throws: AMQPError.self) { try await channel.queuePurge(name: "anything") }
    }

    @Test func declareBindPublishMandatoryAndDelete() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let exchange = AMQPTestBroker.uniqueName("topology")
            try await channel.exchangeDeclare(name: exchange, type: "topic", durable: false, autoDelete: false)
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("topology"), durable: false)
            #expect(queue.messageCount == 0 && queue.consumerCount == 0)
            try await channel.queueBind(queue: queue.name, exchange: exchange, routingKey: "customer.*")
            try await channel.confirmSelect()

            let routed = try await channel.basicPublish(exchange: exchange, routingKey: "customer.updated", body: Array("one".utf8), mandatory: true)
            #expect(routed == .acked)
            let unroutable = try await channel.basicPublish(exchange: exchange, routingKey: "invoice.paid", body: Array("two".utf8), properties: .init(messageID: "m-2"), mandatory: true)
            guard case .returned(let returned) = unroutable else {
                Issue.record("expected a return, got \(unroutable)")
                return
            }
            #expect(returned.replyCode == 312)
            #expect(returned.properties.messageID == "m-2")
            #expect(String(buffer: returned.body) == "two")

            let passive = try await channel.queueDeclare(name: queue.name, passive: true)
            #expect(passive.messageCount == 1)
            #expect(try await channel.queuePurge(name: queue.name) == 1)
            try await channel.queueUnbind(queue: queue.name, exchange: exchange, routingKey: "customer.*")
            #expect(try await channel.queueDelete(name: queue.name) == 0)
            try await channel.exchangeDelete(name: exchange)
            try await channel.close()
        }
    }

    @Test func thousandPipelinedConfirmedPublishesAreConsumedInOrder() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let publisher = try await connection.openChannel()
            let queue = try await publisher.queueDeclare(name: AMQPTestBroker.uniqueName("pipelined"), durable: false).name
            try await publisher.confirmSelect()
            let count = 1_000
            let started = ContinuousClock.now
            var confirms: [EventLoopFuture<AMQPPublishConfirm>] = []
            for index in 0..<count {
                confirms.append(publisher.publishPipelined(exchange: "", routingKey: queue, body: ByteBuffer(string: "message-\(index)"), properties: .init(deliveryMode: 2, messageID: "\(index)")))
            }
            try await publisher.waitForConfirms()
            let elapsed = ContinuousClock.now - started
            print("Rapport tests: \(count) confirmed publishes in \(elapsed)")
            for future in confirms { #expect(try await future.get() == .acked) }

            let consumerChannel = try await connection.openChannel()
            try await consumerChannel.basicQos(prefetchCount: 50)
            let consumer = try await consumerChannel.basicConsume(queue: queue)
            var expected = 0
            for try await delivery in consumer {
                #expect(String(buffer: delivery.body) == "message-\(expected)")
                #expect(delivery.properties.messageID == "\(expected)")
                #expect(delivery.properties.deliveryMode == 2)
                #expect(!delivery.redelivered)
                try await consumerChannel.basicAck(deliveryTag: delivery.deliveryTag)
                expected += 1
                if expected == count { break }
            }
            #expect(expected == count)
            try await consumerChannel.basicCancel(consumerTag: consumer.consumerTag)
            #expect(try await publisher.queueDelete(name: queue) == 0)
        }
    }

    @Test func bodyLargerThanFrameMaxRoundTrips() async throws {
        try await AMQPTestBroker.withConnection({ $0.frameMax = 131_072 }) { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("large"), durable: false).name
            try await channel.confirmSelect()
            var random = SeededRandom(state: 300)
            let bytes = (0..<300_000).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            #expect(try await channel.basicPublish(exchange: "", routingKey: queue, body: bytes) == .acked)
            let consumer = try await channel.basicConsume(queue: queue, noAck: true)
            var iterator = consumer.makeAsyncIterator()
            let delivery = try #require(try await iterator.next())
            #expect(delivery.body.readableBytes == 300_000)
            #expect(Array(delivery.body.readableBytesView) == bytes)
            try await channel.queueDelete(name: queue)
        }
    }

    @Test func nackWithoutRequeueDeadLettersWithHeaders() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let deadExchange = AMQPTestBroker.uniqueName("dlx")
            try await channel.exchangeDeclare(name: deadExchange, type: "fanout", durable: false)
            let deadQueue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("dead"), durable: false).name
            try await channel.queueBind(queue: deadQueue, exchange: deadExchange)
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("work"), durable: false, arguments: ["x-dead-letter-exchange": .string(deadExchange)]).name
            try await channel.confirmSelect()
            let headers: AMQPFieldTable = ["rapport-event-id": "evt-1", "attempt": .int32(3)]
            #expect(try await channel.basicPublish(exchange: "", routingKey: queue, body: Array("poison".utf8), properties: .init(contentType: "text/plain", headers: headers)) == .acked)

            let consumer = try await channel.basicConsume(queue: queue)
            var iterator = consumer.makeAsyncIterator()
            let delivery = try #require(try await iterator.next())
            try await channel.basicNack(deliveryTag: delivery.deliveryTag, requeue: false)

            let deadConsumer = try await channel.basicConsume(queue: deadQueue)
            var deadIterator = deadConsumer.makeAsyncIterator()
            let dead = try #require(try await deadIterator.next())
            #expect(String(buffer: dead.body) == "poison")
            #expect(dead.properties.contentType == "text/plain")
            #expect(dead.properties.headers?["rapport-event-id"] == "evt-1")
            #expect(dead.properties.headers?["attempt"] == .int32(3))
            guard case .array(let deaths)? = dead.properties.headers?["x-death"], case .table(let death)? = deaths.first else {
                Issue.record("no x-death header: \(String(describing: dead.properties.headers))")
                return
            }
            #expect(death["reason"] == "rejected")
            #expect(death["queue"] == .string(queue))
            try await channel.basicAck(deliveryTag: dead.deliveryTag)
            try await channel.queueDelete(name: queue)
            try await channel.queueDelete(name: deadQueue)
            try await channel.exchangeDelete(name: deadExchange)
        }
    }

    /// Waits until the broker counts three messages of `queue` delivered and not yet acknowledged.
    static func waitForThreeUnacknowledged(in queue: String) async throws {
        var counts: (ready: Int, unacknowledged: Int)?
        try await waitUntil("the queue to count three unacknowledged; counted \(String(describing: counts))") {
            counts = try await TestBroker.queueCounts(queue)
            return counts?.unacknowledged == 3
        }
    }

    @Test func prefetchLimitsUnackedDeliveries() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("qos"), durable: false).name
            try await channel.confirmSelect()
            for index in 0..<10 { _ = channel.publishPipelined(exchange: "", routingKey: queue, body: ByteBuffer(string: "\(index)")) }
            try await channel.waitForConfirms()
            try await channel.basicQos(prefetchCount: 3)
            let consumer = try await channel.basicConsume(queue: queue)
            var iterator = consumer.makeAsyncIterator()
            var tags: [UInt64] = []
            for _ in 0..<3 { tags.append(try #require(try await iterator.next()).deliveryTag) }
            // With three unacked, the broker holds the rest: a second channel sees them as ready. The
            // queue counts what it delivered and awaits acks for: three, the prefetch (a broker ignoring
            // it would count all ten).
            try await Self.waitForThreeUnacknowledged(in: queue)
            let observer = try await connection.openChannel()
            #expect(try await observer.queueDeclare(name: queue, passive: true).messageCount == 7)
            try await channel.basicAck(deliveryTag: tags.last!, multiple: true)
            for _ in 0..<3 { _ = try #require(try await iterator.next()) }
            // The three acked are gone, the three delivered since are awaited, and no more.
            try await Self.waitForThreeUnacknowledged(in: queue)
            #expect(try await observer.queueDeclare(name: queue, passive: true).messageCount == 4)
            try await observer.queueDelete(name: queue)
        }
    }

    @Test func wrongPasswordIsAnAuthenticationErrorNotAHang() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await withTimeout(seconds: 15) {
                try await AMQPConnection.connect(try AMQPTestBroker.configuration { $0.password = "definitely-wrong" }, logger: AMQPTestBroker.logger)
            }
            Issue.record("connected with a wrong password")
        } catch let error as AMQPError {
            #expect(error.code == .authenticationFailed)
            #expect(error.replyCode == 403)
            #expect(!error.description.contains("definitely-wrong"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func channelErrorSurfacesAndTheConnectionStaysUsable() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let missing = AMQPTestBroker.uniqueName("missing")
            do {
                _ = try await channel.queueDeclare(name: missing, passive: true)
                Issue.record("passive declare of a missing queue succeeded")
            } catch let error as AMQPError {
                #expect(error.code == .channelClosed)
                #expect(error.replyCode == 404)
                #expect(error.message.hasPrefix("NOT_FOUND"))
            }
            // The channel is gone, the connection is not.
            await #expect(throws: AMQPError.self) { try await channel.queuePurge(name: missing) }
            #expect(connection.isOpen)
            let fresh = try await connection.openChannel()
            let queue = try await fresh.queueDeclare(name: AMQPTestBroker.uniqueName("after-error"), durable: false)
            try await fresh.queueDelete(name: queue.name)
        }
    }

    @Test func brokerCancelEndsTheConsumerWithAnError() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("cancelled"), durable: false).name
            let consumer = try await channel.basicConsume(queue: queue)
            let other = try await connection.openChannel()
            try await other.queueDelete(name: queue)
            do {
                for try await _ in consumer { Issue.record("unexpected delivery") }
                Issue.record("consumer ended without an error")
            } catch let error as AMQPError {
                #expect(error.code == .consumerCancelled)
            }
        }
    }

    @Test func aSlowNoAckConsumerPausesReadingAndStillGetsEverythingInOrder() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("slow"), durable: false).name
            try await channel.confirmSelect()
            let count = 3_000  // three times the no-prefetch buffer, so socket reads must pause and resume
            for index in 0..<count { _ = channel.publishPipelined(exchange: "", routingKey: queue, body: ByteBuffer(string: "\(index)")) }
            try await channel.waitForConfirms()
            let consumer = try await channel.basicConsume(queue: queue, noAck: true)
            // Nobody reads until the buffer is full and reading from the socket has stopped (which
            // may already have happened: the broker pushes as soon as the consumer exists).
            try await waitUntil("the connection to stop reading from the socket") { connection.readPauses > 0 }
            // Other work on the same connection still completes once the reader drains the buffer.
            var received = 0
            for try await delivery in consumer {
                #expect(String(buffer: delivery.body) == "\(received)")
                received += 1
                if received == count { break }
            }
            #expect(received == count)
            #expect(try await channel.queueDelete(name: queue) == 0)
        }
    }

    @Test func droppingTheConsumerCancelsIt() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("dropped"), durable: false).name
            do {
                let consumer = try await channel.basicConsume(queue: queue)
                #expect(try await channel.queueDeclare(name: queue, passive: true).consumerCount == 1)
                _ = consumer.consumerTag
            }
            let consumers = try await eventually("the dropped consumer to be cancelled") {
                let consumers = try await channel.queueDeclare(name: queue, passive: true).consumerCount
                return consumers == 0 ? consumers : nil
            }
            #expect(consumers == 0)
            try await channel.queueDelete(name: queue)
        }
    }

    @Test func closingTheChannelEndsItsConsumerNormally() async throws {
        try await AMQPTestBroker.withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("closed-channel"), durable: false, autoDelete: true).name
            let consumer = try await channel.basicConsume(queue: queue)
            let drained = Task {
                var count = 0
                for try await _ in consumer { count += 1 }
                return count
            }
            try await channel.close()
            #expect(try await withTimeout(seconds: 5) { try await drained.value } == 0)
            await #expect(throws: AMQPError.self) { try await channel.basicAck(deliveryTag: 1) }
        }
    }

    @Test func brokerClosingTheConnectionIsReported() async throws {
        let name = AMQPTestBroker.uniqueName("forced")
        let connection = try await AMQPConnection.connect(try AMQPTestBroker.configuration { $0.connectionName = name }, logger: AMQPTestBroker.logger)
        let channel = try await connection.openChannel()
        // Close only this test's connection (close_all_connections would also hit other users of the broker).
        let connectionPID = try await TestBroker.connectionPID(named: name)
        try await AMQPTestBroker.rabbitmqctl(["close_connection", connectionPID, "test"])
        let reason = try await withTimeout(seconds: 10) { await connection.waitUntilClosed() }
        #expect(reason?.code == .connectionClosed)
        #expect(reason?.replyCode == 320)
        #expect(reason?.message.contains("test") == true)
        await #expect(throws: AMQPError.self) { try await channel.queuePurge(name: "x") }
    }
}
