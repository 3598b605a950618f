import RapportCore
import RapportTestSupport
import Testing

/// `rapport.message`: a process writes to its customer on the channel they use — a reply in their
/// conversation, or a message on a channel — in the instance's transaction, on the timeline.
@Suite("HTTP: process steps that write to the customer on their channel")
struct ProcessMessageActionTests {
    static func process(_ id: String, target: String) -> String {
        """
        <bpmn:process id="\(id)" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:serviceTask id="tell">
            <bpmn:extensionElements>
              <rapport:taskDefinition type="rapport.message" resultVariable="told"/>
              <rapport:ioMapping>
                <rapport:input source="\(target)" target="\(target)"/>
                <rapport:input source="'Your loan of ' + string(amount) + ' EUR was approved.'" target="text"/>
              </rapport:ioMapping>
            </bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tell"/>
          <bpmn:sequenceFlow id="f2" sourceRef="tell" targetRef="e"/>
        </bpmn:process>
        """
    }

    static let models = ProcessEventsTests.definitions(process("reply_in_conversation", target: "conversation")
                                                       + process("write_on_channel", target: "channel"))

    @Test("a reply in the customer's SMS conversation and a message on a channel: outbound, threaded, their ids kept; a channel that takes no message is an incident",
          arguments: Backend.available)
    func messages(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let sms = try #require(try await api.post("/v1/channels", ["kind": "sms", "name": "SMS"]).json["id"]?.stringValue)
            let phone = try #require(try await api.post("/v1/channels", ["kind": "phone", "name": "Hotline"]).json["id"]?.stringValue)
            let mail = try #require(try await api.post("/v1/channels", ["kind": "email", "name": "Loans", "settings": ["address": "loans@bank.example"]])
                .json["id"]?.stringValue)
            let asked = try await api.post("/v1/interactions", ["channel_id": .string(sms), "identity": "phone:+4915112345678", "kind": "message",
                                                              "direction": "inbound", "body": "Is my loan approved?"])
            #expect(asked.status == .created, "\(asked.text)")
            let customer = try #require(asked.json["customer_id"]?.stringValue)
            let conversations = try await api.get("/v1/conversations?customer_id=\(customer)").items
            let conversation = try #require(conversations.first?["id"]?.stringValue, "\(conversations)")
            let deployed = try await api.post("/v1/processes", ["xml": .string(Self.models)])
            #expect(deployed.status == .created, "\(deployed.text)")

            let replied = try await api.post("/v1/process-instances", ["process": "reply_in_conversation", "customer_id": .string(customer),
                                                                      "variables": ["conversation": .string(conversation), "amount": 20_000]])
            #expect(replied.json["status"] == "completed", "\(replied.text)")
            let told = try #require(replied.json["variables"]?["told"]?.stringValue)
            let message = try await api.get("/v1/interactions/\(told)")
            #expect(message.json["direction"] == "outbound" && message.json["kind"] == "message", "\(message.text)")
            #expect(message.json["channel_id"]?.stringValue == sms)
            #expect(message.json["body"] == "Your loan of 20000 EUR was approved.")
            let thread = try await api.get("/v1/conversations/\(conversation)")
            #expect(thread.json["interaction_count"] == 2, "the reply is in the customer's conversation: \(thread.text)")

            let written = try await api.post("/v1/process-instances", ["process": "write_on_channel", "customer_id": .string(customer),
                                                                      "variables": ["channel": .string(sms), "amount": 5_000]])
            #expect(written.json["status"] == "completed", "\(written.text)")
            #expect(try await api.get("/v1/conversations/\(conversation)").json["interaction_count"] == 3)
            let outbound = try await api.get("/v1/interactions?customer_id=\(customer)").items.filter { $0["direction"] == "outbound" }
            #expect(outbound.count == 2)

            // In an email conversation the reply is an email, threaded and queued for the relay.
            let emailed = try await api.post("/v1/interactions", ["channel_id": .string(mail), "customer_id": .string(customer), "kind": "email",
                                                                "direction": "inbound", "subject": "Loan", "body": "Any news?"])
            let emailConversation = try #require(try await api.get("/v1/conversations?customer_id=\(customer)").items
                .first { $0["channel_id"]?.stringValue == mail }?["id"]?.stringValue, "\(emailed.text)")
            #expect(try await api.post("/v1/customers/\(customer)/identities", ["identity": "email:mia@example.com"]).status.code < 300)
            let answered = try await api.post("/v1/process-instances", ["process": "reply_in_conversation", "customer_id": .string(customer),
                                                                       "variables": ["conversation": .string(emailConversation), "amount": 7]])
            #expect(answered.json["status"] == "completed", "\(answered.text)")
            let email = try await api.get("/v1/interactions/\(answered.json["variables"]?["told"]?.stringValue ?? "")")
            #expect(email.json["kind"] == "email" && email.json["direction"] == "outbound", "\(email.text)")
            #expect(email.json["subject"]?.stringValue?.hasPrefix("Re: Loan") == true, "\(email.text)")

            // A phone line takes no written message; a new email needs rapport.email: incidents naming the channel.
            for (channel, words) in [(phone, "takes no written message"), (mail, "use rapport.email")] {
                let refused = try await api.post("/v1/process-instances", ["process": "write_on_channel", "customer_id": .string(customer),
                                                                          "variables": ["channel": .string(channel), "amount": 1]])
                let why = refused.json["tokens"]?[0]?["incident"]?.stringValue ?? ""
                #expect(why.contains("tell (rapport.message) could not be done (channel)") && why.contains(words), "\(refused.text)")
            }
            #expect(try await api.get("/v1/interactions?customer_id=\(customer)").items.filter { $0["direction"] == "outbound" }.count == 3,
                    "nothing was written by the refused steps")
        }
    }
}
