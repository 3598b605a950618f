import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Mail store: the outgoing queue") struct MailOutboxStoreTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")
    let actor = Actor(kind: .user, id: "usr_agent")
    let parser = MailParser()

    func received(_ text: String, channelID: String) -> ReceivedMail {
        let raw = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        return ReceivedMail(channelID: channelID, raw: raw, message: parser.parse(raw), envelopeFrom: "ana@example.com",
                            envelopeTo: ["support@acme.example"], attachmentLimit: 1_000_000, normalizer: normalizer)
    }

    /// An email channel and a conversation opened by Ana's message `<m1@example.com>`.
    func conversation(_ store: Store) async throws -> (channel: Channel, conversationID: String) {
        let channel = try await store.write { tx in
            try await store.organization.insertChannel(kind: .email, name: "Acme Support", settings: ["address": "support@acme.example"],
                                                       actor: actor, in: tx)
        }
        let first = received("""
            From: Ana Lima <ana@example.com>
            To: support@acme.example
            Subject: Order 1234 has not arrived
            Message-ID: <m1@example.com>
            References: <m0@example.com>

            Where is it?
            """, channelID: channel.id)
        let record = try await store.write { tx in try await store.mail.receive(first, in: tx) }
        let interactionID = try #require(record.interactionID)
        let conversationID = try #require(try await store.conversations.conversationID(ofInteraction: interactionID))
        return (channel, conversationID)
    }

    func queue(_ store: Store, _ conversationID: String, text: String = "It left our warehouse today.") async throws -> MailRecord {
        try await store.write { tx in
            try await store.mailOutbox.queueReply(EmailReply(text: text), toConversation: conversationID, hostname: "mail.acme.example",
                                                  actor: actor, in: tx)
        }
    }

    @Test(arguments: Backend.available)
    func aReplyIsQueuedOnItsThreadAndLeasedToOneSender(_ backend: Backend) async throws {
        let time = TestTime()
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let (channel, conversationID) = try await conversation(store)
            let record = try await queue(store, conversationID)
            #expect(record.direction == .outbound)
            #expect(record.messageID == "\(record.id)@mail.acme.example")
            #expect(record.subject == "Re: Order 1234 has not arrived")
            #expect(record.envelopeFrom == "support@acme.example")
            #expect(record.envelopeTo == ["ana@example.com"])
            #expect(record.delivery?.status == .queued)
            #expect(record.details["text"] == .string("It left our warehouse today."))

            // On the timeline, in the conversation, which now waits for Ana.
            let interactionID = try #require(record.interactionID)
            #expect(try await store.conversations.conversationID(ofInteraction: interactionID) == conversationID)
            let interaction = try #require(try await store.interactions.interaction(interactionID))
            #expect(interaction.direction == .outbound)
            #expect(interaction.kind == .email)
            #expect(interaction.body == "It left our warehouse today.")
            let conversation = try #require(try await store.conversations.conversation(conversationID))
            #expect(conversation.status == .pending)
            #expect(conversation.interactionCount == 2)

            // The bytes to send thread under Ana's message.
            let raw = try #require(try await store.mail.rawMessage(record.id))
            let written = parser.parse(raw)
            #expect(written.inReplyTo == "m1@example.com")
            #expect(written.references == ["m0@example.com", "m1@example.com"])
            #expect(written.from == MailAddress(name: "Acme Support", address: "support@acme.example"))
            #expect(written.reply.new == "It left our warehouse today.")
            #expect(written.reply.quoted.contains("> Where is it?"))

            // One sender holds it; another finds nothing and cannot hand it over.
            let until = time.now().adding(.seconds(30))
            let leased = try await store.write { tx in try await store.mailOutbox.leaseDueMail(owner: "a", until: until, limit: 10, in: tx) }
            #expect(leased.map(\.mailID) == [record.id])
            #expect(leased.first?.raw == raw)
            #expect(leased.first?.recipients == ["ana@example.com"])
            let other = try await store.write { tx in try await store.mailOutbox.leaseDueMail(owner: "b", until: until, limit: 10, in: tx) }
            #expect(other.isEmpty)
            await #expect(throws: StoreError.self) {
                try await store.write { tx in try await store.mailOutbox.markHandingOver(record.id, owner: "b", until: until, in: tx) }
            }
            try await store.write { tx in try await store.mailOutbox.markHandingOver(record.id, owner: "a", until: until, in: tx) }
            let sent = MailAttemptOutcome(mailID: record.id, status: .sent, nextAttempt: nil, note: "250 2.0.0 queued", undeliverable: [])
            // A sender that lost the lease records nothing.
            try await store.write { tx in try await store.mailOutbox.recordMailOutcomes([sent], owner: "b", in: tx) }
            #expect(try await store.mail.mailMessage(record.id)?.delivery?.status == .queued)
            try await store.write { tx in try await store.mailOutbox.recordMailOutcomes([sent], owner: "a", in: tx) }
            let delivery = try #require(try await store.mail.mailMessage(record.id)?.delivery)
            #expect(delivery.status == .sent)
            #expect(delivery.attempts == 1)
            #expect(delivery.sentAt == time.now())
            #expect(delivery.note == "250 2.0.0 queued")
            #expect(try await store.mailOutbox.hasDueMail() == false)

            let types = try await store.events.events(after: 0, limit: 1_000).map(\.type)
            #expect(types.contains("rapport.mail.queued"))
            #expect(types.contains("rapport.mail.sent"))

            // Ana's answer to Rapport's message joins the same conversation.
            let answer = received("""
                From: ana@example.com
                Subject: Re: Re: Order 1234 has not arrived
                Message-ID: <m3@example.com>
                In-Reply-To: <\(try #require(record.messageID))>

                Thanks!
                """, channelID: channel.id)
            let answered = try await store.write { tx in try await store.mail.receive(answer, in: tx) }
            let answerID = try #require(answered.interactionID)
            #expect(try await store.conversations.conversationID(ofInteraction: answerID) == conversationID)
        }
    }

    @Test(arguments: Backend.available)
    func aCrashBeforeTheEndSendsAgainAndOneAfterItDoesNot(_ backend: Backend) async throws {
        let time = TestTime()
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let (_, conversationID) = try await conversation(store)
            let first = try await queue(store, conversationID, text: "First.")
            let second = try await queue(store, conversationID, text: "Second.")
            let until = time.now().adding(.seconds(30))
            let leased = try await store.write { tx in try await store.mailOutbox.leaseDueMail(owner: "dead", until: until, limit: 10, in: tx) }
            #expect(Set(leased.map(\.mailID)) == [first.id, second.id])
            // The dead node had sent the end of the first message; the second it had not.
            try await store.write { tx in try await store.mailOutbox.markHandingOver(first.id, owner: "dead", until: until, in: tx) }

            time.advance(by: .seconds(31))
            let taken = try await store.write { tx in
                try await store.mailOutbox.leaseDueMail(owner: "alive", until: time.now().adding(.seconds(30)), limit: 10, in: tx)
            }
            #expect(taken.map(\.mailID) == [second.id])
            let stranded = try #require(try await store.mail.mailMessage(first.id)?.delivery)
            #expect(stranded.status == .unconfirmed)
            #expect(stranded.note?.contains("never twice") == true)
            let types = try await store.events.events(after: 0, limit: 1_000).map(\.type)
            #expect(types.contains("rapport.mail.unconfirmed"))

            // An agent may send it again: same bytes, queued.
            let again = try await store.write { tx in try await store.mailOutbox.resendMail(first.id, actor: actor, in: tx) }
            #expect(again.delivery?.status == .queued)
            await #expect(throws: StoreError.self) {
                try await store.write { tx in try await store.mailOutbox.resendMail(second.id, actor: actor, in: tx) }
            }
            let resent = try await store.write { tx in
                try await store.mailOutbox.leaseDueMail(owner: "alive", until: time.now().adding(.seconds(30)), limit: 10, in: tx)
            }
            #expect(resent.map(\.mailID) == [first.id])
        }
    }

    @Test(arguments: Backend.available)
    func aDeferredMessageWaitsForItsTurnAndBouncesMarkAddresses(_ backend: Backend) async throws {
        let time = TestTime()
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let (channel, conversationID) = try await conversation(store)
            let record = try await queue(store, conversationID)
            let until = time.now().adding(.seconds(30))
            _ = try await store.write { tx in try await store.mailOutbox.leaseDueMail(owner: "a", until: until, limit: 10, in: tx) }
            let deferred = MailAttemptOutcome(mailID: record.id, status: .deferred, nextAttempt: time.now().adding(.seconds(60)),
                                              note: "recipients: 451 4.3.0 try later", undeliverable: [])
            try await store.write { tx in try await store.mailOutbox.recordMailOutcomes([deferred], owner: "a", in: tx) }
            #expect(try await store.mail.mailMessage(record.id)?.delivery?.status == .deferred)
            let early = try await store.write { tx in try await store.mailOutbox.leaseDueMail(owner: "a", until: until, limit: 10, in: tx) }
            #expect(early.isEmpty)
            time.advance(by: .seconds(61))
            let due = try await store.write { tx in
                try await store.mailOutbox.leaseDueMail(owner: "a", until: time.now().adding(.seconds(30)), limit: 10, in: tx)
            }
            #expect(due.map(\.attempts) == [1])

            // The relay takes it; later a delivery report comes back for Ana's address.
            try await store.write { tx in
                try await store.mailOutbox.recordMailOutcomes([MailAttemptOutcome(mailID: record.id, status: .sent, nextAttempt: nil, note: "250",
                                                                                  undeliverable: [])], owner: "a", in: tx)
            }
            #expect(try await store.mailOutbox.undeliverable(["ana@example.com"]).isEmpty)
            let report = received("""
                From: MAILER-DAEMON@mx.example.com
                To: support@acme.example
                Subject: Undelivered Mail Returned to Sender
                Message-ID: <dsn1@mx.example.com>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"

                --b
                Content-Type: text/plain

                Your message could not be delivered.
                --b
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.com

                Final-Recipient: rfc822; ana@example.com
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 user unknown

                --b
                Content-Type: text/rfc822-headers

                Message-ID: <\(try #require(record.messageID))>
                Subject: Re: Order 1234 has not arrived

                --b--
                """, channelID: channel.id)
            _ = try await store.write { tx in try await store.mail.receive(report, in: tx) }
            let bounced = try #require(try await store.mail.mailMessage(record.id)?.delivery)
            #expect(bounced.status == .bounced)
            #expect(bounced.attempts == 2)
            #expect(bounced.note?.contains("5.1.1") == true)
            let marked = try #require(try await store.mailOutbox.undeliverable(["Ana@Example.com"])["ana@example.com"])
            #expect(marked.mailID == record.id)
            #expect(marked.reason.contains("5.1.1"))
        }
    }

    @Test(arguments: Backend.available)
    func aReplyNeedsAnEmailChannelAndAnAddress(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let chat = try await store.write { tx in
                try await store.organization.insertChannel(kind: .chat, name: "Chat", settings: [:], actor: actor, in: tx)
            }
            let email = try await store.write { tx in
                try await store.organization.insertChannel(kind: .email, name: "Sales", settings: ["address": "sales@acme.example"],
                                                           actor: actor, in: tx)
            }
            func opened(_ channelID: String, identity: String) async throws -> String {
                let new = NewInteraction(channelID: channelID, party: .identity(try normalizer.parse(identity)), direction: .inbound,
                                         kind: .message, body: "Hello")
                let result = try await store.write { tx in try await store.interactions.ingestInteraction(new, actor: actor, in: tx) }
                return try #require(try await store.conversations.conversationID(ofInteraction: result.interaction.id))
            }
            let onChat = try await opened(chat.id, identity: "email:bo@example.com")
            await #expect(throws: StoreError.self) { try await queue(store, onChat) }
            // A conversation begun without mail is written to the customer's address, under its subject.
            let onEmail = try await opened(email.id, identity: "email:Bo@Example.com")
            let record = try await queue(store, onEmail)
            #expect(record.envelopeTo == ["bo@example.com"])
            #expect(record.details["in_reply_to"] == .null)
            let byPhone = try await opened(email.id, identity: "phone:+49 30 1234567")
            await #expect(throws: StoreError.self) { try await queue(store, byPhone) }
        }
    }
}
