import RapportCore
import RapportTestSupport
import Testing

/// `rapport.email`: a process tells its customer by email from one of the company's channels —
/// queued in the instance's transaction, on the customer's timeline, an incident when it cannot be.
@Suite("HTTP: process steps that send email")
struct ProcessEmailActionTests {
    static func process(channel: String, to: String? = nil, purpose: String? = nil) -> String {
        let recipient = to.map { #"<rapport:input source="'\#($0)'" target="to"/>"# } ?? ""
            + (purpose.map { #"<rapport:input source="'\#($0)'" target="purpose"/>"# } ?? "")
        return ProcessEventsTests.definitions("""
            <bpmn:process id="tell_customer" isExecutable="true">
              <bpmn:startEvent id="s"/>
              <bpmn:serviceTask id="write">
                <bpmn:extensionElements>
                  <rapport:taskDefinition type="rapport.email" resultVariable="mail_id"/>
                  <rapport:ioMapping>
                    <rapport:input source="'\(channel)'" target="channel"/>
                    <rapport:input source="'Your loan ' + application + ' is approved'" target="subject"/>
                    <rapport:input source="'Dear customer,\\n\\nwe approved ' + string(amount) + ' EUR. &lt;b&gt;Welcome&lt;/b&gt;.'" target="text"/>
                    \(recipient)
                  </rapport:ioMapping>
                </bpmn:extensionElements>
              </bpmn:serviceTask>
              <bpmn:endEvent id="e"/>
              <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="write"/>
              <bpmn:sequenceFlow id="f2" sourceRef="write" targetRef="e"/>
            </bpmn:process>
            """)
    }

    @Test("the email is queued from the channel to the customer's address in the instance's transaction and is on the timeline; no address or no email channel is an incident",
          arguments: Backend.available)
    func email(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let channel = try await api.post("/v1/channels", ["kind": "email", "name": "Loans", "settings": ["address": "loans@bank.example"]])
            let channelID = try #require(channel.json["id"]?.stringValue, "\(channel.text)")
            let customer = try #require(try await api.createCustomer(["name": "Mia", "emails": ["mia@example.com"]])["id"]?.stringValue)
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.process(channel: channelID))]).status == .created)

            let done = try await api.post("/v1/process-instances", ["process": "tell_customer", "customer_id": .string(customer),
                                                                   "variables": ["application": "A-7", "amount": 25_000]])
            #expect(done.json["status"] == "completed", "\(done.text)")
            let mailID = try #require(done.json["variables"]?["mail_id"]?.stringValue, "\(done.text)")
            let mail = try await api.get("/v1/mail-messages/\(mailID)")
            #expect(mail.status == .ok, "\(mail.text)")
            #expect(mail.json["delivery"]?["status"] == "queued")
            #expect(mail.json["subject"] == "Your loan A-7 is approved")
            #expect(mail.json["envelope_to"]?.arrayValue?.compactMap(\.stringValue) == ["mia@example.com"], "\(mail.text)")
            let raw = try await api.get("/v1/mail-messages/\(mailID)/raw")
            #expect(raw.text.contains("From: Loans <loans@bank.example>"), "\(raw.text.prefix(400))")
            #expect(raw.text.contains("&lt;b&gt;Welcome&lt;/b&gt;"), "the customer text is escaped in the HTML part")
            let timeline = try await api.get("/v1/customers/\(customer)/timeline").items
            let sent = try #require(timeline.first { $0["kind"] == "email" && $0["direction"] == "outbound" }, "\(timeline)")
            #expect(sent["subject"] == "Your loan A-7 is approved")
            #expect(sent["metadata"]?["process_instance_id"] == done.json["id"])

            // No email address: an incident naming why, and no mail.
            let silent = try #require(try await api.createCustomer(["name": "Noor"])["id"]?.stringValue)
            let stuck = try await api.post("/v1/process-instances", ["process": "tell_customer", "customer_id": .string(silent),
                                                                    "variables": ["application": "A-8", "amount": 1]])
            #expect(stuck.json["tokens"]?[0]?["incident"]?.stringValue?.contains("the customer has no email address to write to") == true, "\(stuck.text)")

            let web = try #require(try await api.post("/v1/channels", ["kind": "web", "name": "Site"]).json["id"]?.stringValue)
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.process(channel: web).replacingOccurrences(of: "tell_customer", with: "tell_by_web"))]).status == .created)
            let wrong = try await api.post("/v1/process-instances", ["process": "tell_by_web", "customer_id": .string(customer),
                                                                    "variables": ["application": "A-9", "amount": 1]])
            #expect(wrong.json["tokens"]?[0]?["incident"]?.stringValue?.contains("is not an email channel") == true, "\(wrong.text)")
        }
    }

    @Test("consent is honoured: a marketing email goes only to a customer whose last word for email marketing is yes; otherwise nothing is sent and the step goes on saying why",
          arguments: Backend.available)
    func consent(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/marketing/install", [:]).status.code < 300)
            let channel = try #require(try await api.post("/v1/channels", ["kind": "email", "name": "News", "settings": ["address": "news@bank.example"]])
                .json["id"]?.stringValue)
            let offer = Self.process(channel: channel, purpose: "marketing").replacingOccurrences(of: "tell_customer", with: "offer")
            #expect(try await api.post("/v1/processes", ["xml": .string(offer)]).status == .created)
            let mia = try #require(try await api.createCustomer(["name": "Mia", "emails": ["mia@example.com"]])["id"]?.stringValue)
            func say(_ status: String, at: String) async throws {
                let made = try await api.post("/v1/records/consent", ["customer_id": .string(mia), "fields": [
                    "channel": "email", "purpose": "marketing", "status": .string(status), "given_at": .string(at)]])
                #expect(made.status == .created, "\(made.text)")
            }
            func offerMia() async throws -> JSONValue? {
                let run = try await api.post("/v1/process-instances", ["process": "offer", "customer_id": .string(mia),
                                                                      "variables": ["application": "spring offer", "amount": 1]])
                #expect(run.json["status"] == "completed", "\(run.text)")
                return run.json["variables"]?["mail_id"]
            }
            func mails() async throws -> Int {
                try await api.get("/v1/customers/\(mia)/timeline").items.filter { $0["kind"] == "email" && $0["direction"] == "outbound" }.count
            }
            // Never asked: no marketing.
            let unasked = try await offerMia()
            #expect(unasked?["suppressed"]?.stringValue == "the customer has not consented to marketing by email", "\(String(describing: unasked))")
            #expect(try await mails() == 0)
            // Said yes: sent.
            try await say("granted", at: "2026-01-10T09:00:00Z")
            #expect(try await offerMia()?.stringValue?.hasPrefix("mail_") == true)
            #expect(try await mails() == 1)
            // Unsubscribed later: not sent, and the step says which record says no.
            try await say("withdrawn", at: "2026-06-01T12:00:00Z")
            let refused = try await offerMia()
            #expect(refused?["suppressed"]?.stringValue?.contains("withdrew consent to marketing by email") == true, "\(String(describing: refused))")
            #expect(try await mails() == 1)
            // A service email (the default purpose) still goes.
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.process(channel: channel))]).status == .created)
            let told = try await api.post("/v1/process-instances", ["process": "tell_customer", "customer_id": .string(mia),
                                                                   "variables": ["application": "A-8", "amount": 2]])
            #expect(told.json["variables"]?["mail_id"]?.stringValue?.hasPrefix("mail_") == true, "\(told.text)")
            #expect(try await mails() == 2)
        }
    }

    @Test("a marketing email carries a one-click unsubscribe link (RFC 8058): opening it changes nothing, its POST withdraws consent once, and the next marketing email is not sent",
          arguments: Backend.available)
    func oneClickUnsubscribe(backend: Backend) async throws {
        try await withApp(backend, publicURL: "https://crm.example.com") { api, _ in
            #expect(try await api.post("/v1/templates/marketing/install", [:]).status.code < 300)
            let channel = try #require(try await api.post("/v1/channels", ["kind": "email", "name": "News", "settings": ["address": "news@bank.example"]])
                .json["id"]?.stringValue)
            let offer = Self.process(channel: channel, purpose: "marketing").replacingOccurrences(of: "tell_customer", with: "offer")
            #expect(try await api.post("/v1/processes", ["xml": .string(offer)]).status == .created)
            let mia = try #require(try await api.createCustomer(["name": "Mia", "emails": ["mia@example.com"]])["id"]?.stringValue)
            #expect(try await api.post("/v1/records/consent", ["customer_id": .string(mia), "fields": [
                "channel": "email", "purpose": "marketing", "status": "granted", "given_at": "2026-01-10T09:00:00Z"]]).status == .created)
            func offerMia() async throws -> JSONValue? {
                try await api.post("/v1/process-instances", ["process": "offer", "customer_id": .string(mia),
                                                            "variables": ["application": "spring offer", "amount": 1]]).json["variables"]?["mail_id"]
            }
            let mailID = try #require(try await offerMia()?.stringValue)
            let raw = try await api.get("/v1/mail-messages/\(mailID)/raw").text
            let header = try #require(raw.components(separatedBy: "\r\n").first { $0.hasPrefix("List-Unsubscribe: ") }, "\(raw.prefix(600))")
            #expect(raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
            let url = String(header.dropFirst("List-Unsubscribe: <".count).dropLast())
            #expect(url.hasPrefix("https://crm.example.com/unsubscribe/"), "\(header)")
            let path = String(url.dropFirst("https://crm.example.com".count))

            // Opening the link shows a button and withdraws nothing.
            let page = try await api.get(path, auth: .none)
            #expect(page.status == .ok && page.text.contains("<form method=\"post\">"), "\(page.text)")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            func consents() async throws -> [JSONValue] { try await api.get("/v1/records/consent?customer_id=\(mia)").items }
            #expect(try await consents().count == 1)
            // The mail program's POST: one withdrawal, however often it is sent.
            let form = "application/x-www-form-urlencoded"
            expectProblem(try await api.request(.post, path, body: "", auth: .none, contentType: form), .badRequest, field: "List-Unsubscribe")
            for _ in 0..<2 {
                let done = try await api.request(.post, path, body: "List-Unsubscribe=One-Click", auth: .none, contentType: form)
                #expect(done.status == .ok && done.text.contains("Unsubscribed"), "\(done.text)")
            }
            let withdrawn = try await consents().filter { $0["fields"]?["status"] == "withdrawn" }
            #expect(withdrawn.count == 1, "\(withdrawn)")
            #expect(withdrawn.first?["fields"]?["source"]?.stringValue == "one-click unsubscribe in mail \(mailID)")
            #expect(try await api.get(path, auth: .none).text.contains("Unsubscribed"))
            // The next offer is not sent.
            #expect(try await offerMia()?["suppressed"]?.stringValue?.contains("withdrew consent to marketing by email") == true)
            // A token Rapport did not issue.
            #expect(try await api.get("/unsubscribe/" + String(repeating: "0", count: 64), auth: .none).status == .notFound)
            #expect(try await api.request(.post, "/unsubscribe/nothing", body: "List-Unsubscribe=One-Click", auth: .none, contentType: form).status == .notFound)
        }
    }
}

