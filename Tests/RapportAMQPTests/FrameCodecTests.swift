import NIOCore
@testable import RapportAMQP
import Testing

// Vectors marked "pika" were produced with pika 1.3 in a venv:
//   pika.frame.Method(channel, pika.spec.<Class>.<Method>(...)).marshal().hex()
// (Header/Body/Heartbeat frames likewise with pika.frame.Header/Body/Heartbeat, tables with pika.data.encode_table).
// Each test checks both directions where the method goes both ways.
@Suite("AMQP frame codec")
struct FrameCodecTests {
    static let pikaMethods: [(String, AMQPFrame, String)] = [
        ("Basic.Publish(exchange='x', routing_key='a.b')",
         .method(channel: 1, .basicPublish(exchange: "x", routingKey: "a.b", mandatory: false, immediate: false)),
         "0100010000000d003c00280000017803612e6200ce"),
        ("Basic.Publish(..., mandatory=True)",
         .method(channel: 1, .basicPublish(exchange: "x", routingKey: "a.b", mandatory: true, immediate: false)),
         "0100010000000d003c00280000017803612e6201ce"),
        ("Connection.TuneOk(channel_max=2047, frame_max=131072, heartbeat=60)",
         .method(channel: 0, .connectionTuneOk(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))),
         "0100000000000c000a001f07ff00020000003cce"),
        ("Connection.Open(virtual_host='/')",
         .method(channel: 0, .connectionOpen(virtualHost: "/")),
         "01000000000008000a0028012f0000ce"),
        ("Queue.Declare(queue='q1', durable=True, arguments={'x-dead-letter-exchange': 'dlx'})",
         .method(channel: 2, .queueDeclare(.init(queue: "q1", durable: true, arguments: ["x-dead-letter-exchange": "dlx"]))),
         "0100020000002d0032000a0000027131020000001f16782d646561642d6c65747465722d65786368616e67655300000003646c78ce"),
        ("Exchange.Declare(exchange='ex', type='topic', durable=True, auto_delete=True, internal=True)",
         .method(channel: 2, .exchangeDeclare(.init(exchange: "ex", type: "topic", durable: true, autoDelete: true, internal: true))),
         "010002000000140028000a000002657805746f7069630e00000000ce"),
        ("Basic.Consume(queue='q', consumer_tag='ct', exclusive=True)",
         .method(channel: 3, .basicConsume(.init(queue: "q", consumerTag: "ct", exclusive: true))),
         "01000300000010003c0014000001710263740400000000ce"),
        ("Basic.Nack(delivery_tag=5, multiple=True, requeue=False)",
         .method(channel: 3, .basicNack(deliveryTag: 5, multiple: true, requeue: false)),
         "0100030000000d003c0078000000000000000501ce"),
        ("Basic.Ack(delivery_tag=258)",
         .method(channel: 3, .basicAck(deliveryTag: 258, multiple: false)),
         "0100030000000d003c0050000000000000010200ce"),
        ("Basic.Qos(prefetch_count=10)",
         .method(channel: 3, .basicQos(prefetchSize: 0, prefetchCount: 10, global: false)),
         "0100030000000b003c000a00000000000a00ce"),
        ("Queue.Bind(queue='q', exchange='e', routing_key='k')",
         .method(channel: 1, .queueBind(.init(queue: "q", exchange: "e", routingKey: "k"))),
         "0100010000001100320014000001710165016b0000000000ce"),
        ("Confirm.Select()",
         .method(channel: 1, .confirmSelect(noWait: false)),
         "010001000000050055000a00ce"),
        ("Channel.Close(reply_code=404, reply_text='NOT_FOUND', class_id=50, method_id=10)",
         .method(channel: 1, .channelClose(.init(replyCode: 404, replyText: "NOT_FOUND", classID: 50, methodID: 10))),
         "01000100000014001400280194094e4f545f464f554e440032000ace"),
        ("Queue.DeleteOk(message_count=3)",
         .method(channel: 1, .queueDeleteOk(messageCount: 3)),
         "010001000000080032002900000003ce"),
        ("Queue.Delete(queue='q', if_unused=True)",
         .method(channel: 1, .queueDelete(queue: "q", ifUnused: true, ifEmpty: false, noWait: false)),
         "01000100000009003200280000017101ce"),
        ("Basic.Deliver(consumer_tag='ct', delivery_tag=7, redelivered=True, exchange='e', routing_key='k')",
         .method(channel: 1, .basicDeliver(consumerTag: "ct", deliveryTag: 7, redelivered: true, exchange: "e", routingKey: "k")),
         "01000100000014003c003c0263740000000000000007010165016bce"),
        ("Basic.Return(reply_code=312, reply_text='NO_ROUTE', exchange='e', routing_key='k')",
         .method(channel: 1, .basicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "e", routingKey: "k")),
         "01000100000013003c00320138084e4f5f524f5554450165016bce"),
        ("Connection.StartOk(client_properties={'product': 'x'}, mechanism='PLAIN', response='\\0guest\\0guest', locale='en_US')",
         .method(channel: 0, .connectionStartOk(.init(clientProperties: ["product": "x"], mechanism: "PLAIN", response: ConnectionStateMachine.plainResponse(username: "guest", password: "guest"), locale: "en_US"))),
         "01000000000032000a000b0000000e0770726f6475637453000000017805504c41494e0000000c00677565737400677565737405656e5f5553ce"),
        ("Heartbeat()", .heartbeat, "08000000000000ce"),
        ("Body(1, b'hello world')", .body(channel: 1, ByteBuffer(string: "hello world")), "0300010000000b68656c6c6f20776f726c64ce"),
    ]

    @Test(arguments: pikaMethods.indices)
    func encodesLikePikaAndDecodesBack(index: Int) throws {
        let (name, frame, expected) = Self.pikaMethods[index]
        #expect(try encode(frame) == expected, "\(name)")
        #expect(try decode(hex: expected) == frame, "\(name)")
    }

    @Test func contentHeaderMatchesPika() throws {
        // pika.frame.Header(1, 11, BasicProperties(content_type='text/plain', delivery_mode=2,
        //   headers={'a': 1, 'b': 'str', 'c': True}, correlation_id='c1', timestamp=1700000000, app_id='rapport',
        //   priority=5, message_id='m1')).marshal().hex()
        // Flags 0xbcc8: content-type, headers, delivery-mode, priority, correlation-id, message-id, timestamp, app-id.
        let pika = "0200010000004a003c0000000000000000000bbcc80a746578742f706c61696e000000150161490000000101625300000003737472016374010205026331026d31000000006553f10007726170706f7274ce"
        let properties = AMQPBasicProperties(
            contentType: "text/plain", headers: ["a": .int32(1), "b": "str", "c": true], deliveryMode: 2, priority: 5,
            correlationID: "c1", messageID: "m1", timestamp: 1_700_000_000, appID: "rapport")
        let frame = AMQPFrame.header(channel: 1, AMQPContentHeader(bodySize: 11, properties: properties))
        #expect(try encode(frame) == pika)
        #expect(try decode(hex: pika) == frame)
    }

    @Test func everyPropertyRoundTrips() throws {
        let properties = AMQPBasicProperties(
            contentType: "application/json", contentEncoding: "gzip", headers: ["x": "y"], deliveryMode: 1, priority: 9,
            correlationID: "corr", replyTo: "amq.rabbitmq.reply-to", expiration: "60000", messageID: "id-1",
            timestamp: 42, type: "rapport.customer.updated", userID: "guest", appID: "rapport")
        let frame = AMQPFrame.header(channel: 9, AMQPContentHeader(bodySize: 1 << 33, properties: properties))
        let text = try encode(frame)
        // Hand-derived: flags with every bit 15...3 set = 0xfff8, right after class 60, weight 0 and the 64-bit size.
        #expect(text.hasPrefix("02" + "0009"))
        #expect(text.dropFirst(14).hasPrefix("003c" + "0000" + "0000000200000000" + "fff8"))
        #expect(try decode(hex: text) == frame)
        #expect(try decode(hex: try encode(.header(channel: 1, AMQPContentHeader(bodySize: 0, properties: .init())))) ==
            .header(channel: 1, AMQPContentHeader(bodySize: 0, properties: .init())))
    }

    @Test func fieldTableMatchesPika() throws {
        // b = []; pika.data.encode_table(b, {'i': 1, 'neg': -5, 'big': 2**40, 'arr': [1, 'a'], 'tbl': {'x': None},
        //   'bytes': b'\x01\x02', 'dec': Decimal('1.25'), 'ts': datetime(2023,11,14,22,13,20), 'bool': False})
        let pika = "0000006701694900000001036e656749fffffffb036269676c000001000000000003617272410000000b49000000015300000001610374626c4600000003017856056279746573780000000201020364656344020000007d02747354000000006553f10004626f6f6c7400"
        let table: AMQPFieldTable = [
            "i": .int32(1), "neg": .int32(-5), "big": .int64(1 << 40), "arr": .array([.int32(1), "a"]), "tbl": .table(["x": .void]),
            "bytes": .bytes([1, 2]), "dec": .decimal(scale: 2, value: 125), "ts": .timestamp(1_700_000_000), "bool": false,
        ]
        var out = ByteBuffer()
        try out.writeFieldTable(table)
        #expect(hex(out) == pika)
        var input = buffer(hex: pika)
        #expect(try input.readFieldTable() == table)
    }

    @Test func everyFieldTypeRoundTrips() throws {
        // Tags RabbitMQ sends that pika cannot produce; bytes hand-derived from RabbitMQ's field-table errata.
        let values: [(AMQPFieldValue, String)] = [
            (.bool(true), "7401"), (.int8(-2), "62fe"), (.uint8(200), "42c8"), (.int16(-2), "73fffe"), (.uint16(65535), "75ffff"),
            (.int32(-1), "49ffffffff"), (.uint32(4_000_000_000), "69ee6b2800"), (.int64(-1), "6cffffffffffffffff"),
            (.uint64(1), "4c0000000000000001"), (.float(1.5), "663fc00000"), (.double(-2), "64c000000000000000"),
            (.decimal(scale: 1, value: 5), "440100000005"), (.string("é"), "5300000002c3a9"), (.bytes([0xff]), "7800000001ff"),
            (.array([]), "4100000000"), (.timestamp(1), "540000000000000001"), (.table([:]), "4600000000"), (.void, "56"),
        ]
        for (value, expected) in values {
            var out = ByteBuffer()
            try out.writeFieldValue(value)
            #expect(hex(out) == expected, "\(value)")
            var input = buffer(hex: expected)
            #expect(try input.readFieldValue() == value)
            #expect(input.readableBytes == 0)
        }
    }

    @Test func decodesTheConnectionStartOfTheLocalRabbitMQ() throws {
        // Captured from RabbitMQ 3.10.8 on this machine: send "AMQP\0\0\x09\x01" to 127.0.0.1:5672, read one frame.
        let captured = """
            010000000001f0000a000a0009000001cb0c6361706162696c697469657346000000c7127075626c69736865725f636f6e6669726d7374011a65786368616e67655f65786368616e67655f62696e64696e677374010a62617369632e6e61636b740116636f6e73756d65725f63616e63656c5f6e6f74696679740112636f6e6e656374696f6e2e626c6f636b6564740113636f6e73756d65725f7072696f72697469657374011c61757468656e7469636174696f6e5f6661696c7572655f636c6f73657401107065725f636f6e73756d65725f716f7374010f6469726563745f7265706c795f746f74010c636c75737465725f6e616d65530000000972616262697440766d09636f707972696768745300000037436f707972696768742028632920323030372d3230323220564d776172652c20496e632e206f722069747320616666696c69617465732e0b696e666f726d6174696f6e53000000394c6963656e73656420756e64657220746865204d504c20322e302e20576562736974653a2068747470733a2f2f7261626269746d712e636f6d08706c6174666f726d530000001145726c616e672f4f54502032352e322e330770726f6475637453000000085261626269744d510776657273696f6e5300000006332e31302e380000000e414d51504c41494e20504c41494e00000005656e5f5553ce
            """
        guard case .method(0, .connectionStart(let start)) = try decode(hex: captured) else {
            Issue.record("not a connection.start")
            return
        }
        #expect(start.versionMajor == 0 && start.versionMinor == 9)
        #expect(start.mechanisms == "AMQPLAIN PLAIN")
        #expect(start.locales == "en_US")
        #expect(start.serverProperties["product"] == "RabbitMQ")
        #expect(start.serverProperties["version"] == "3.10.8")
        guard case .table(let capabilities) = start.serverProperties["capabilities"] else {
            Issue.record("no capabilities table")
            return
        }
        #expect(capabilities["publisher_confirms"] == true)
        #expect(capabilities["authentication_failure_close"] == true)
        #expect(capabilities.count == 9)
    }

    @Test func incompleteInputWaitsAndConsumesNothing() throws {
        let whole = buffer(hex: "0100010000000d003c00280000017803612e6200ce")
        for length in 0..<whole.readableBytes {
            var partial = whole.getSlice(at: 0, length: length)!
            #expect(try AMQPFrameCodec.decode(from: &partial) == nil)
            #expect(partial.readableBytes == length)
        }
        // Two frames back to back come out one at a time.
        var two = buffer(hex: "08000000000000ce" + "0300010000000b68656c6c6f20776f726c64ce")
        #expect(try AMQPFrameCodec.decode(from: &two) == .heartbeat)
        #expect(try AMQPFrameCodec.decode(from: &two) == .body(channel: 1, ByteBuffer(string: "hello world")))
        #expect(two.readableBytes == 0)
    }

    @Test func rejectsBadFrames() throws {
        func error(_ text: String, maxFrameSize: Int = 1 << 20) -> AMQPError.Code? {
            var input = buffer(hex: text)
            do {
                _ = try AMQPFrameCodec.decode(from: &input, maxFrameSize: maxFrameSize)
                return nil
            } catch let error as AMQPError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(error("08000000000000cd") == .frameError)  // wrong frame-end
        #expect(error("09000000000000ce") == .frameError)  // unknown type
        #expect(error("08000100000000ce") == .frameError)  // heartbeat on channel 1
        #expect(error("0100000000000400ff00ffce") == .frameError)  // unknown method 255.255
        #expect(error("0300010000100000", maxFrameSize: 4096) == .frameError)  // larger than frame-max
        #expect(error("414d515000000901") == .protocolError)  // broker answered with its protocol header
        #expect(error("010001000000050055000a0000ce") == .frameError)  // payload longer than the method
    }

    @Test func protocolHeaderIsAMQP0091() {
        #expect(AMQPProtocolHeader.bytes == Array("AMQP".utf8) + [0, 0, 9, 1])
    }

    @Test func shortStringsLongerThan255BytesAreRefused() {
        var out = ByteBuffer()
        #expect(throws: AMQPError.self) {
            try AMQPFrameCodec.encode(.method(channel: 1, .basicPublish(exchange: String(repeating: "x", count: 256), routingKey: "", mandatory: false, immediate: false)), into: &out)
        }
    }

    @Test func everyMethodRoundTrips() throws {
        let methods: [AMQPMethod] = [
            .connectionStart(.init(serverProperties: ["a": 1], mechanisms: "PLAIN", locales: "en_US")),
            .connectionTune(.init(channelMax: 1, frameMax: 2, heartbeat: 3)), .connectionOpenOk,
            .connectionClose(.init(replyCode: 320, replyText: "CONNECTION_FORCED", classID: 0, methodID: 0)), .connectionCloseOk,
            .connectionBlocked(reason: "low on memory"), .connectionUnblocked, .channelOpen, .channelOpenOk,
            .channelFlow(active: false), .channelFlowOk(active: true), .channelCloseOk, .exchangeDeclareOk,
            .exchangeDelete(exchange: "e", ifUnused: true, noWait: false), .exchangeDeleteOk,
            .queueDeclareOk(queue: "amq.gen-1", messageCount: 5, consumerCount: 1), .queueBindOk,
            .queueUnbind(.init(queue: "q", exchange: "e", routingKey: "k")), .queueUnbindOk,
            .queuePurge(queue: "q", noWait: false), .queuePurgeOk(messageCount: 9), .queueDeleteOk(messageCount: 0),
            .queueDeclare(.init(queue: "q", passive: true, exclusive: true, autoDelete: true)),
            .basicQosOk, .basicConsumeOk(consumerTag: "c"), .basicCancel(consumerTag: "c", noWait: true),
            .basicCancelOk(consumerTag: "c"), .basicReject(deliveryTag: 3, requeue: true), .confirmSelectOk,
            .basicConsume(.init(queue: "q", consumerTag: "c", noLocal: true, noAck: true, noWait: true, arguments: ["x-priority": .int32(5)])),
        ]
        for method in methods {
            let frame = AMQPFrame.method(channel: 4, method)
            #expect(try decode(hex: try encode(frame)) == frame, "\(method)")
        }
    }
}
