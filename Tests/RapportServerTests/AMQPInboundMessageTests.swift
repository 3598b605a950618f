import RapportAMQP
import RapportCore
@testable import RapportSync
import Testing

/// Reading inbound AMQP messages: no broker, no store.
@Suite struct AMQPInboundMessageTests {
    let normalizer = try! IdentityNormalizer()

    func read(_ body: String, type: String? = nil, messageID: String? = "m-1", encoding: String? = nil) throws(InboundRejection) -> InboundMessage {
        try InboundMessage.read(properties: AMQPBasicProperties(contentEncoding: encoding, messageID: messageID, type: type),
                                body: Array(body.utf8), normalizer: normalizer)
    }

    func rejection(_ body: String, type: String? = nil, messageID: String? = "m-1", encoding: String? = nil) -> InboundRejection? {
        do throws(InboundRejection) {
            _ = try read(body, type: type, messageID: messageID, encoding: encoding)
            return nil
        } catch {
            return error
        }
    }

    @Test func interactionIsTheDefaultType() throws {
        let body = #"{"channel_id": "chn_1", "identity": "email:Ann@Example.com", "body": "hello", "external_id": "x-1"}"#
        let untyped = try read(body)
        let typed = try read(body, type: "interaction")
        #expect(untyped.kind == .interaction)
        #expect(untyped == typed)
        guard case .interaction(let new) = untyped.change else { Issue.record("not an interaction"); return }
        #expect(new.channelID == "chn_1")
        #expect(new.externalID == "x-1")
        #expect(new.party == .identity(Identity(kind: .email, value: "ann@example.com")))
        #expect(untyped.messageID == "m-1")
    }

    @Test func customerAndPatch() throws {
        let created = try read(#"{"name": "Ann Lee", "emails": ["ann@example.com"]}"#, type: "customer")
        guard case .customer(let new) = created.change else { Issue.record("not a customer"); return }
        #expect(new.name == "Ann Lee")
        let patched = try read(#"{"customer_id": "cus_1", "patch": {"company": "Acme"}}"#, type: "customer.patch")
        guard case .customerPatch(let id, let patch) = patched.change else { Issue.record("not a patch"); return }
        #expect(id == "cus_1")
        guard case .set(let company) = patch.company else { Issue.record("company not set"); return }
        #expect(company == "Acme")
    }

    @Test func missingOrBadMessageID() {
        let body = #"{"channel_id": "chn_1", "customer_id": "cus_1"}"#
        #expect(rejection(body, messageID: nil)?.code == .missingMessageID)
        #expect(rejection(body, messageID: "")?.code == .missingMessageID)
        #expect(rejection(body, messageID: "has space")?.code == .invalidMessageID)
        #expect(rejection(body, messageID: nil)?.reason.contains("message_id") == true)
    }

    @Test func unknownTypeNamesTheKnownOnes() throws {
        let found = try #require(rejection("{}", type: "order"))
        #expect(found.code == .unknownType)
        #expect(found.issues.first?.field == "type")
        #expect(found.reason.contains("customer.patch"))
    }

    @Test func malformedJSONAndEncodings() throws {
        let broken = try #require(rejection(#"{"channel_id": "#))
        #expect(broken.code == .malformedBody)
        #expect(broken.issues.first?.field == "body")
        #expect(rejection(#"{"channel_id": "chn_1", "customer_id": "cus_1"}"#, encoding: "gzip")?.code == .malformedBody)
        #expect(rejection("[1, 2]")?.code == .invalid)
    }

    @Test func validationNamesEveryField() throws {
        let found = try #require(rejection(#"{"identity": "email:not-an-email", "direction": "sideways", "colour": 1}"#))
        #expect(found.code == .invalid)
        let fields = Set(found.issues.map(\.field))
        #expect(fields.isSuperset(of: ["channel_id", "identity", "direction", "colour"]))
        #expect(found.reason.contains("channel_id: "))
        let patch = try #require(rejection(#"{"patch": {"company": 5}}"#, type: "customer.patch"))
        #expect(Set(patch.issues.map(\.field)).isSuperset(of: ["customer_id", "patch.company"]))
        #expect(rejection(#"{"customer_id": "cus_1"}"#, type: "customer.patch")?.issues.map(\.field) == ["patch"])
    }

    @Test func hashPinsTypeAndBody() {
        let body = Array(#"{"name": "Ann"}"#.utf8)
        let hash = InboundMessage.requestHash(kind: .customer, body: body)
        #expect(hash.count == 64)
        #expect(hash == InboundMessage.requestHash(kind: .customer, body: body))
        #expect(hash != InboundMessage.requestHash(kind: .interaction, body: body))
        #expect(hash != InboundMessage.requestHash(kind: .customer, body: Array(#"{"name": "Bob"}"#.utf8)))
    }

    @Test func deadLetterKeepsPropertiesAndAddsTheReason() {
        let original = AMQPBasicProperties(contentType: "application/json", headers: ["source": "erp"], deliveryMode: 1,
                                           messageID: "m-9", type: "interaction")
        let rejection = InboundRejection(code: .invalid, issues: [FieldIssue(field: "channel_id", message: "is required")])
        let properties = InboundConsumer.deadLetterProperties(original, rejection: rejection, queue: "crm.in")
        #expect(properties.messageID == "m-9")
        #expect(properties.type == "interaction")
        #expect(properties.contentType == "application/json")
        #expect(properties.deliveryMode == 2)
        #expect(properties.headers?["source"] == "erp")
        #expect(properties.headers?[InboundConsumer.DeadLetterHeader.error] == .string("channel_id: is required"))
        #expect(properties.headers?[InboundConsumer.DeadLetterHeader.errorCode] == .string("validation"))
        #expect(properties.headers?[InboundConsumer.DeadLetterHeader.originalQueue] == .string("crm.in"))
    }

    @Test func storeFailuresBlameAMessageOnlyWhileOthersSucceed() {
        var failures = StoreFailures()
        // A database outage: the store does not answer, nothing is counted against the message.
        #expect(failures.failed("a", storeAnswers: false).attempts == 0)
        #expect(failures.failed("a", storeAnswers: false).attempts == 0)
        // Every message fails on a store that answers (a broken schema): one count, then no more.
        #expect(failures.failed("a", storeAnswers: true).attempts == 1)
        #expect(failures.failed("a", storeAnswers: true).attempts == 1)
        #expect(failures.failed("b", storeAnswers: true).attempts == 1)
        #expect(failures.consecutive == 5)
        // A poison message: others are applied between its failures.
        for expected in 2...5 {
            failures.succeeded("other-\(expected)")
            #expect(failures.failed("a", storeAnswers: true).attempts == expected)
        }
        #expect(failures.consecutive == 1)
        failures.succeeded("a")
        #expect(failures.perMessage["a"] == nil)
    }
}
