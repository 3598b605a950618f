import Foundation
import HTTPTypes
import RapportCore
import RapportSync
import RapportTestSupport
import Testing

@Suite("Calls from a telephony provider") struct CallEventTests {
    let secret = "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()

    func signed(_ body: JSONValue, id: String, secret: String? = nil, at: Int64 = Int64(Date().timeIntervalSince1970)) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("webhook-id")!] = id
        headers[HTTPField.Name("webhook-timestamp")!] = String(at)
        headers[HTTPField.Name("webhook-signature")!] = WebhookSigner(secrets: [secret ?? self.secret]).signature(id: id, timestamp: at,
                                                                                                                   body: body.serialized())
        return headers
    }

    func event(_ type: String, id: String, at: String) -> JSONValue {
        ["id": .string(id), "call_id": "CA77", "type": .string(type), "direction": "inbound", "from": "+1 415 555 0101",
         "to": "+14155550000", "at": .string(at)]
    }

    @Test func signedEventsFollowACallToTheCustomersTimeline() async throws {
        try await withApp { api, _ in
            let channel = try await api.post("/v1/channels", ["kind": "phone", "name": "Hotline", "settings": ["call_webhook_secret": .string(secret)]])
            try #require(channel.status == .created, "\(channel.text)")
            let channelID = try #require(channel.json["settings"].flatMap { _ in channel.json["id"]?.stringValue })
            #expect(channel.json["settings"]?["call_webhook_secret"] == nil)
            #expect(channel.json["settings"]?["call_webhook_secret_set"] == .bool(true))
            let hook = "/hooks/calls/\(channelID)"

            let ringing = event("ringing", id: "evt-1", at: "2026-12-03T10:00:00Z")
            #expect(try await api.request(.post, hook, json: ringing, auth: .none).status == .unauthorized)
            #expect(try await api.request(.post, hook, json: ringing, auth: .none,
                                          headers: signed(ringing, id: "evt-1", secret: "whsec_" + Data(repeating: 1, count: 24).base64EncodedString())).status
                    == .unauthorized)
            #expect(try await api.request(.post, hook, json: ringing, auth: .none,
                                          headers: signed(ringing, id: "evt-1", at: Int64(Date().timeIntervalSince1970) - 3_600)).status == .unauthorized)

            let head = try await api.eventHead()
            let rang = try await api.request(.post, hook, json: ringing, auth: .none, headers: signed(ringing, id: "evt-1"))
            try #require(rang.status == .ok, "\(rang.text)")
            #expect(rang.json["status"]?.stringValue == "ringing")
            let customerID = try #require(rang.json["customer_id"]?.stringValue)
            // The console learns who is calling while it rings.
            let pops = try await api.events(after: head).filter { $0["type"]?.stringValue == "rapport.call.ringing" }
            #expect(pops.first?["subject"]?.stringValue == customerID)
            let customer = try await api.get("/v1/customers/\(customerID)")
            #expect(customer.json["identities"]?.arrayValue?.contains(.string("phone:+14155550101")) == true)

            // A retried delivery is applied once.
            let again = try await api.request(.post, hook, json: ringing, auth: .none, headers: signed(ringing, id: "evt-1"))
            #expect(again.status == .ok)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")

            // Nobody answered: a missed call, on the timeline, in a conversation of its own to call back.
            let ended = event("ended", id: "evt-2", at: "2026-12-03T10:00:40Z")
            let missed = try await api.request(.post, hook, json: ended, auth: .none, headers: signed(ended, id: "evt-2"))
            #expect(missed.json["status"]?.stringValue == "missed")
            let interactionID = try #require(missed.json["interaction_id"]?.stringValue)
            let interaction = try await api.get("/v1/interactions/\(interactionID)")
            #expect(interaction.json["kind"]?.stringValue == "call")
            #expect(interaction.json["metadata"]?["callback"] == .bool(true))
            let conversations = try await api.get("/v1/conversations?customer_id=\(customerID)").items
            #expect(conversations.count == 1)
            #expect(conversations.first?["status"]?.stringValue == "open")

            let listed = try await api.get("/v1/customers/\(customerID)/calls").items
            #expect(listed.map { $0["status"]?.stringValue } == ["missed"])
            let bad = try await api.request(.post, hook, json: ["id": "x"], auth: .none, headers: signed(["id": "x"], id: "evt-3"))
            #expect(bad.status == .unprocessableContent)
        }
    }
}
