import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Mail store: received messages") struct MailStoreTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")
    let actor = Actor(kind: .apiKey, id: "key_test")
    let parser = MailParser()

    func received(_ text: String, channelID: String, attachmentLimit: Int = 1_000_000) -> ReceivedMail {
        let raw = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        return ReceivedMail(channelID: channelID, raw: raw, message: parser.parse(raw), envelopeFrom: "bounce@example.com",
                            envelopeTo: ["support@acme.example"], attachmentLimit: attachmentLimit, normalizer: normalizer)
    }

    func channel(_ store: Store) async throws -> Channel {
        try await store.write { tx in
            try await store.organization.insertChannel(kind: .email, name: "support", settings: ["address": "support@acme.example"],
                                                       actor: actor, in: tx)
        }
    }

    @Test(arguments: Backend.available)
    func aMessageBecomesAnInteractionAndItsRepliesJoinItsConversation(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let channel = try await channel(store)
            let first = received("""
                From: Ana Lima <Ana@Example.com>
                To: support@acme.example
                Subject: Order 1234 has not arrived
                Message-ID: <m1@example.com>

                Where is it?
                """, channelID: channel.id)
            let record = try await store.write { tx in try await store.mail.receive(first, in: tx) }
            #expect(record.threadKey == "m1@example.com")
            let interactionID = try #require(record.interactionID)
            let interaction = try #require(try await store.interactions.interaction(interactionID))
            #expect(interaction.kind == .email)
            #expect(interaction.body == "Where is it?")
            #expect(interaction.externalID == "m1@example.com")
            #expect(interaction.metadata["mail_message_id"] == .string(record.id))
            let customer = try #require(try await store.customers.customer(interaction.customerID))
            #expect(customer.name == "Ana Lima")

            // The same message again (a client's retry) is the stored one.
            let again = try await store.write { tx in try await store.mail.receive(first, in: tx) }
            #expect(again.id == record.id)

            // A reply by references, and one that lost them but keeps the subject, join the thread.
            let reply = received("""
                From: ana@example.com
                Subject: Re: Order 1234 has not arrived
                Message-ID: <m2@example.com>
                In-Reply-To: <m1@example.com>

                Any news?

                On Tue, 1 Dec 2026, Support wrote:
                > We are looking.
                """, channelID: channel.id)
            let bySubject = received("""
                From: ana@example.com
                Subject: RE: order 1234 has not arrived
                Message-ID: <m3@example.com>

                Hello?
                """, channelID: channel.id)
            let other = received("""
                From: ana@example.com
                Subject: A different question
                Message-ID: <m4@example.com>

                New topic.
                """, channelID: channel.id)
            let answerInBatch = received("""
                From: ana@example.com
                Subject: Re: A different question
                Message-ID: <m5@example.com>
                In-Reply-To: <m4@example.com>

                And one more thing.
                """, channelID: channel.id)
            // One group commit: later messages see the batch's earlier ones (thread, retry).
            let (r2, r3, r4, r4again, r5) = try await store.write { tx in
                (try await store.mail.receive(reply, in: tx), try await store.mail.receive(bySubject, in: tx),
                 try await store.mail.receive(other, in: tx), try await store.mail.receive(other, in: tx),
                 try await store.mail.receive(answerInBatch, in: tx))
            }
            #expect(r2.threadKey == "m1@example.com")
            #expect(r3.threadKey == "m1@example.com")
            #expect(r4.threadKey == "m4@example.com")
            #expect(r4again.id == r4.id)
            #expect(r5.threadKey == "m4@example.com")
            #expect(try await store.mail.mailMessage(r5.id)?.threadKey == "m4@example.com")
            let conversation = try #require(try await store.conversations.conversationID(ofInteraction: interactionID))
            #expect(try await store.conversations.conversationID(ofInteraction: try #require(r2.interactionID)) == conversation)
            #expect(try await store.conversations.conversationID(ofInteraction: try #require(r3.interactionID)) == conversation)
            #expect(try await store.conversations.conversationID(ofInteraction: try #require(r4.interactionID)) != conversation)
            let stored = try #require(try await store.mail.mailMessage(r2.id))
            #expect(stored.details["quoted"]?.stringValue?.contains("We are looking.") == true)
            #expect(try await store.mail.rawMessage(r2.id) == reply.raw)
        }
    }

    @Test(arguments: Backend.available)
    func attachmentsOverTheLimitAreListedNotKeptAndAMessageWithoutSenderIsKept(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let channel = try await channel(store)
            let mail = received("""
                From: bob@example.com
                Subject: files
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                two files
                --b
                Content-Type: text/plain; name=small.txt
                Content-Disposition: attachment; filename=small.txt

                tiny
                --b
                Content-Type: application/octet-stream; name=big.bin
                Content-Disposition: attachment; filename=big.bin
                Content-Transfer-Encoding: base64

                AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
                --b--
                """, channelID: channel.id, attachmentLimit: 10)
            let record = try await store.write { tx in try await store.mail.receive(mail, in: tx) }
            #expect(record.attachments.map(\.filename) == ["small.txt", "big.bin"])
            #expect(record.attachments.map(\.stored) == [true, false])
            #expect(record.attachments.map(\.size) == [4, 32])
            let small = try #require(try await store.mail.attachment(record.attachments[0].id, of: record.id))
            #expect(small.content == Array("tiny".utf8))
            let big = try #require(try await store.mail.attachment(record.attachments[1].id, of: record.id))
            #expect(big.content == nil)
            #expect(try await store.mail.mailMessage(record.id)?.attachments == record.attachments)

            var anonymous = received("Subject: who?\n\nno sender at all", channelID: channel.id)
            anonymous.envelopeFrom = nil
            let kept = try await store.write { [anonymous] tx in try await store.mail.receive(anonymous, in: tx) }
            #expect(kept.interactionID == nil)
            #expect(kept.flags.contains("no_sender"))
            #expect(try await store.mail.rawMessage(kept.id) == anonymous.raw)
        }
    }
}
