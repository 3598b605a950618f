import RapportCore
import RapportTestSupport
import Testing

/// Rapport's own service task actions that change what the CRM holds: a record's fields and
/// stage, a customer's attributes and lifecycle stage — in the instance's transaction, checked
/// as the API checks them, an incident when they do not fit.
@Suite("HTTP: process actions that change records and customers")
struct ProcessActionsTests {
    static let approval = ProcessEventsTests.definitions("""
        <bpmn:process id="loan_approval" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:serviceTask id="mark_approved">
            <bpmn:extensionElements>
              <rapport:taskDefinition type="rapport.record.update" resultVariable="updated_record"/>
              <rapport:ioMapping>
                <rapport:input source="application_id" target="record"/>
                <rapport:input source="{'amount': approved, 'note': 'Approved by the process'}" target="fields"/>
                <rapport:input source="'won'" target="stage"/>
              </rapport:ioMapping>
            </bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:serviceTask id="mark_customer">
            <bpmn:extensionElements>
              <rapport:taskDefinition type="rapport.customer.update"/>
              <rapport:ioMapping>
                <rapport:input source="{'loan_status': 'approved', 'credit_line': approved}" target="attributes"/>
                <rapport:input source="'customer'" target="lifecycle_stage"/>
              </rapport:ioMapping>
            </bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="mark_approved"/>
          <bpmn:sequenceFlow id="f2" sourceRef="mark_approved" targetRef="mark_customer"/>
          <bpmn:sequenceFlow id="f3" sourceRef="mark_customer" targetRef="e"/>
        </bpmn:process>
        """)

    @Test("a record's fields and stage and the customer's attributes change in the instance's transaction; a value that does not fit is an incident naming the field, and nothing changes",
          arguments: Backend.available)
    func updates(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let type = try await api.post("/v1/record-types", [
                "key": "application", "label": "Application",
                "fields": [["key": "amount", "label": "Amount", "kind": "number"], ["key": "note", "label": "Note", "kind": "text"]],
                "stages": [["key": "open", "label": "Open"], ["key": "won", "label": "Won"]],
            ])
            #expect(type.status == .created, "\(type.text)")
            let customer = try #require(try await api.createCustomer(["name": "Mia", "attributes": ["segment": "retail"]])["id"]?.stringValue)
            let application = try await api.post("/v1/records/application", ["customer_id": .string(customer), "fields": ["amount": 30_000]])
            let applicationID = try #require(application.json["id"]?.stringValue, "\(application.text)")
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.approval)]).status == .created)

            let done = try await api.post("/v1/process-instances", ["process": "loan_approval", "customer_id": .string(customer),
                                                                   "variables": ["application_id": .string(applicationID), "approved": 25_000]])
            #expect(done.json["status"] == "completed", "\(done.text)")
            #expect(done.json["variables"]?["updated_record"]?.stringValue == applicationID)
            let record = try await api.get("/v1/records/application/\(applicationID)")
            #expect(record.json["fields"]?["amount"] == 25_000, "\(record.text)")
            #expect(record.json["fields"]?["note"] == "Approved by the process")
            #expect(record.json["stage"] == "won")
            let changed = try await api.get("/v1/customers/\(customer)")
            #expect(changed.json["attributes"] == ["segment": "retail", "loan_status": "approved", "credit_line": 25_000], "\(changed.text)")
            #expect(changed.json["lifecycle_stage"] == "customer")

            // A value the record's type refuses stops the instance in an incident; the record is as it was.
            let wrong = try await api.post("/v1/process-instances", ["process": "loan_approval", "customer_id": .string(customer),
                                                                    "variables": ["application_id": .string(applicationID), "approved": "lots"]])
            #expect(wrong.json["tokens"]?[0]?["state"] == "incident", "\(wrong.text)")
            let why = wrong.json["tokens"]?[0]?["incident"]?.stringValue ?? ""
            #expect(why.contains("mark_approved (rapport.record.update) could not be done (fields.amount)"), "\(why)")
            #expect(try await api.get("/v1/records/application/\(applicationID)").json["fields"]?["amount"] == 25_000)

            let missing = try await api.post("/v1/process-instances", ["process": "loan_approval", "customer_id": .string(customer),
                                                                      "variables": ["application_id": "rec_nothing", "approved": 1]])
            #expect(missing.json["tokens"]?[0]?["incident"]?.stringValue?.contains("no record has the id rec_nothing") == true, "\(missing.text)")
        }
    }
}
