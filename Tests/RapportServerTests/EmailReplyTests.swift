import Foundation
import HTTPTypes
import RapportChannels
import RapportCore
import RapportServer
import RapportTestSupport
import Testing

@Suite("Replies by email over the API") struct EmailReplyTests {
    /// An email channel with an address and a conversation Ana opened on it; the conversation id.
    func conversation(_ api: API) async throws -> String {
        let channel = try await api.post("/v1/channels", ["kind": "email", "name": "Support", "settings": ["address": "support@acme.example"]])
        try #require(channel.status == .created, "\(channel.text)")
        let interaction = try await api.post("/v1/interactions", [
            "channel_id": .string(try #require(channel.json["id"]?.stringValue)), "identity": "email:ana@example.com",
            "kind": "email", "subject": "Where is my order?", "body": "Order 1234",
        ])
        try #require(interaction.status == .created, "\(interaction.text)")
        let customerID = try #require(interaction.json["customer_id"]?.stringValue)
        let conversations = try await api.get("/v1/conversations?customer_id=\(customerID)")
        return try #require(conversations.items.first?["id"]?.stringValue)
    }

    @Test func withoutARelayAReplyIsRefusedClearly() async throws {
        try await withApp { api, _ in
            let id = try await conversation(api)
            let reply = try await api.post("/v1/conversations/\(id)/email-replies", ["text": "Hello"])
            #expect(reply.status == .conflict)
            #expect(reply.json["type"]?.stringValue?.hasSuffix("mail-relay-not-configured") == true)
        }
    }

    @Test func aReplyIsQueuedAndItsDeliveryFollowed() async throws {
        // Nothing listens at the relay's port: the first attempt is deferred.
        let relay = RelayConfiguration(host: "127.0.0.1", port: 1, security: .none, hostname: "rapport.test", timeout: .seconds(5))
        let mail = MailSettings(relay: relay, retrySchedule: RetrySchedule(delays: [.zero, .seconds(3_600)]), hostname: "rapport.test",
                                attachmentMaxBytes: 1_000)
        try await withApp(mail: mail) { api, _ in
            let id = try await conversation(api)
            var headers = HTTPFields()
            headers[.idempotencyKey] = "reply-1"
            let body: JSONValue = ["text": "It ships today.", "cc": ["Bo <bo@example.com>"],
                                   "attachments": [["filename": "note.txt", "content_type": "text/plain", "content_base64": "aGk="]]]
            let reply = try await api.post("/v1/conversations/\(id)/email-replies", body, headers: headers)
            try #require(reply.status == .created, "\(reply.text)")
            let mailID = try #require(reply.json["id"]?.stringValue)
            #expect(reply.headers[.location] == "/v1/mail-messages/\(mailID)")
            #expect(reply.json["message_id"]?.stringValue == "\(mailID)@rapport.test")
            #expect(reply.json["envelope_to"] == ["ana@example.com", "bo@example.com"])
            #expect(reply.json["subject"]?.stringValue == "Re: Where is my order?")
            #expect(reply.json["text"]?.stringValue == "It ships today.")
            #expect(reply.json["delivery"]?["status"]?.stringValue == "queued")
            #expect(reply.json["attachments"]?.arrayValue?.first?["filename"]?.stringValue == "note.txt")

            // A retry with the same key is the same reply.
            let again = try await api.post("/v1/conversations/\(id)/email-replies", body, headers: headers)
            #expect(again.json["id"]?.stringValue == mailID)

            // The reply is on the conversation, which now waits for the customer.
            let conversation = try await api.get("/v1/conversations/\(id)")
            #expect(conversation.json["status"]?.stringValue == "pending")
            #expect(conversation.json["interaction_count"]?.intValue == 2)

            // The relay cannot be reached: deferred, with the reason and the next attempt.
            try await waitUntil("the reply to be deferred") {
                try await api.get("/v1/mail-messages/\(mailID)").json["delivery"]?["status"]?.stringValue == "deferred"
            }
            let deferred = try await api.get("/v1/mail-messages/\(mailID)").json["delivery"]
            #expect(deferred?["attempts"]?.intValue == 1)
            #expect(deferred?["note"]?.stringValue?.hasPrefix("connect:") == true)
            #expect(deferred?["next_attempt_at"]?.stringValue != nil)
            let resend = try await api.post("/v1/mail-messages/\(mailID)/resend", [:])
            #expect(resend.status == .conflict)

            let address = try await api.get("/v1/mail-addresses/ana%40example.com")
            #expect(address.json["undeliverable"] == .bool(false))
        }
    }

    @Test func badRepliesAreRefusedNamingTheField() async throws {
        let relay = RelayConfiguration(host: "127.0.0.1", port: 1, security: .none, hostname: "rapport.test")
        try await withApp(mail: MailSettings(relay: relay, attachmentMaxBytes: 4)) { api, _ in
            let id = try await conversation(api)
            let empty = try await api.post("/v1/conversations/\(id)/email-replies", ["text": " "])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.errorFields == ["text"])
            let large = try await api.post("/v1/conversations/\(id)/email-replies", [
                "text": "x", "cc": ["nope"], "attachments": [["filename": "a.bin", "content_base64": "aGVsbG8="]],
            ])
            #expect(large.errorFields.sorted() == ["attachments", "cc[0]"])
            let missing = try await api.post("/v1/conversations/cnv_missing/email-replies", ["text": "x"])
            #expect(missing.status == .notFound)
            let chat = try await api.createChannel(kind: "chat", name: "Chat")
            let onChat = try await api.post("/v1/interactions", ["channel_id": .string(chat), "identity": "email:bo@example.com", "body": "hi"])
            let customer = try #require(onChat.json["customer_id"]?.stringValue)
            let chatConversation = try #require(try await api.get("/v1/conversations?customer_id=\(customer)").items.first?["id"]?.stringValue)
            let wrong = try await api.post("/v1/conversations/\(chatConversation)/email-replies", ["text": "x"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorFields == ["conversation_id"])
        }
    }
}
