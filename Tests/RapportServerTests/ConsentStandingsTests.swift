import RapportCore
import RapportTestSupport
import Testing

/// `GET /v1/customers/{id}/consent`: what the console's consent card shows — every channel and
/// purpose with the customer's last word and what a sender would do.
@Suite("HTTP: a customer's consent standings")
struct ConsentStandingsTests {
    @Test("every channel and purpose with the last word and the sender's decision; not kept: every answer not asked", arguments: Backend.available)
    func standings(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let mia = try #require(try await api.createCustomer(["name": "Mia", "emails": ["mia@example.com"]])["id"]?.stringValue)
            // Not kept yet: nothing can be recorded, and every answer is "not asked", as the senders see it.
            let unkept = try await api.get("/v1/customers/\(mia)/consent")
            #expect(unkept.status == .ok, "\(unkept.text)")
            #expect(unkept.json["kept"] == false)
            #expect(unkept.json["data"]?.arrayValue?.allSatisfy { $0["status"] == "not_given" } == true)
            #expect(try await api.post("/v1/templates/marketing/install", [:]).status.code < 300)
            #expect(try await api.get("/v1/customers/cus_nobody/consent").status == .notFound)

            func standing(_ channel: String, _ purpose: String) async throws -> JSONValue? {
                let answer = try await api.get("/v1/customers/\(mia)/consent")
                #expect(answer.status == .ok, "\(answer.text)")
                #expect(answer.json["customer_id"]?.stringValue == mia)
                #expect(answer.json["kept"] == true)
                #expect(answer.json["data"]?.arrayValue?.count == 15)
                return answer.json["data"]?.arrayValue?.first { $0["channel"]?.stringValue == channel && $0["purpose"]?.stringValue == purpose }
            }
            let never = try await standing("email", "marketing")
            #expect(never?["status"] == "not_given")
            #expect(never?["sends"] == false)
            #expect(never?["reason"] == "the customer has not consented to marketing by email")
            #expect(try await standing("sms", "service")?["sends"] == true)

            func say(_ channel: String, _ purpose: String, _ status: String, at: String) async throws -> String? {
                let made = try await api.post("/v1/records/consent", ["customer_id": .string(mia), "fields": [
                    "channel": .string(channel), "purpose": .string(purpose), "status": .string(status), "given_at": .string(at)]])
                #expect(made.status == .created, "\(made.text)")
                return made.json["id"]?.stringValue
            }
            let yes = try await say("email", "marketing", "granted", at: "2026-01-10T09:00:00Z")
            let granted = try await standing("email", "marketing")
            #expect(granted?["status"] == "granted")
            #expect(granted?["record_id"]?.stringValue == yes)
            #expect(granted?["given_at"] == "2026-01-10T09:00:00.000Z")
            #expect(granted?["sends"] == true)
            #expect(granted?["reason"] == .null)
            // An answer given earlier than the last one does not change it; a later one does.
            _ = try await say("email", "marketing", "withdrawn", at: "2025-12-01T00:00:00Z")
            #expect(try await standing("email", "marketing")?["record_id"]?.stringValue == yes)
            let no = try await say("email", "marketing", "withdrawn", at: "2026-06-01T12:00:00Z")
            let withdrawn = try await standing("email", "marketing")
            #expect(withdrawn?["status"] == "withdrawn")
            #expect(withdrawn?["sends"] == false)
            #expect(withdrawn?["reason"]?.stringValue?.contains("(record \(no ?? "?"))") == true, "\(String(describing: withdrawn))")
            // One channel and purpose says nothing of the others.
            #expect(try await standing("email", "research")?["status"] == "not_given")
            #expect(try await standing("email", "service")?["sends"] == true)
        }
    }
}
