import RapportCore
import RapportTestSupport
import Testing

/// A process's user task with a form over HTTP: the form a person sees (with values from the
/// instance), completing it with checked values that the process goes on with, and what is refused.
@Suite("HTTP: user task forms")
struct UserTaskFormTests {
    static let loan = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
          <bpmn:process id="loan_decision" name="Loan decision" isExecutable="true">
            <bpmn:startEvent id="s"/>
            <bpmn:userTask id="decide" name="Decide on the loan">
              <bpmn:extensionElements>
                <rapport:assignment candidateGroups="finance" dueAfter="P2D"/>
                <rapport:form>
                  <rapport:field key="decision" label="Decision" type="choice" required="true">
                    <rapport:option value="approve" label="Approve"/><rapport:option value="decline" label="Decline"/>
                  </rapport:field>
                  <rapport:field key="approved_amount" label="Approved amount" type="number" min="0" max="50000" value="amount"/>
                  <rapport:field key="reason" label="Reason" type="textarea" maxLength="200"/>
                </rapport:form>
              </bpmn:extensionElements>
            </bpmn:userTask>
            <bpmn:exclusiveGateway id="x" default="f_declined"/>
            <bpmn:endEvent id="approved"/>
            <bpmn:endEvent id="declined"/>
            <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide"/>
            <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="x"/>
            <bpmn:sequenceFlow id="f_approved" sourceRef="x" targetRef="approved"><bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression></bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="f_declined" sourceRef="x" targetRef="declined"/>
          </bpmn:process>
        </bpmn:definitions>
        """

    @Test("the form shows its fields with values from the instance; wrong values are refused naming every field and lose nothing; right ones complete the task and the process goes on with them",
          arguments: Backend.available)
    func form(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let li = try await NotesTests.person(api, email: "li.form@example.com", name: "李伟", role: "agent", department: "finance")
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.loan)]).status == .created)
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let started = try await api.post("/v1/process-instances", ["process": "loan_decision", "customer_id": .string(customer),
                                                                         "variables": ["amount": 25_000]])
            let instance = try #require(started.json["id"]?.stringValue, "\(started.text)")
            let task = try #require(try await api.get("/v1/tasks?view=department", auth: li.auth).items.first)
            let taskID = try #require(task["id"]?.stringValue)

            let shown = try await api.get("/v1/tasks/\(taskID)/form", auth: li.auth)
            #expect(shown.status == .ok, "\(shown.text)")
            #expect(shown.json["instance_id"]?.stringValue == instance)
            #expect(shown.json["process"]?["key"] == "loan_decision")
            #expect(shown.json["node"]?["name"] == "Decide on the loan")
            #expect(shown.json["fields"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["decision", "approved_amount", "reason"])
            #expect(shown.json["fields"]?[0]?["options"]?[1]?["label"] == "Decline")
            #expect(shown.json["fields"]?[1]?["max"] == 50_000)
            #expect(shown.json["values"] == ["approved_amount": 25_000], "the amount asked for is the amount approved until changed")

            // Marking it done without the form's required values is refused.
            let plainDone = try await api.patch("/v1/tasks/\(taskID)", ["status": "done"], auth: li.auth)
            #expect(plainDone.status == .unprocessableContent, "\(plainDone.text)")
            #expect(plainDone.errorFields == ["status"])

            let wrong = try await api.post("/v1/tasks/\(taskID)/complete", ["variables": ["approved_amount": 90_000, "colour": "red"]], auth: li.auth)
            #expect(wrong.status == .unprocessableContent, "\(wrong.text)")
            #expect(Set(wrong.errorFields) == ["variables.colour", "variables.decision", "variables.approved_amount"])
            #expect(try await api.get("/v1/tasks/\(taskID)").json["status"] == "open", "nothing changed")
            #expect(try await api.get("/v1/process-instances/\(instance)").json["status"] == "running")

            let done = try await api.post("/v1/tasks/\(taskID)/complete",
                                          ["variables": ["decision": "approve", "approved_amount": 20_000, "reason": "Payslips fine"]], auth: li.auth)
            #expect(done.status == .ok, "\(done.text)")
            #expect(done.json["status"] == "done")
            let after = try await api.get("/v1/process-instances/\(instance)")
            #expect(after.json["status"] == "completed", "\(after.text)")
            #expect(after.json["variables"]?["approved_amount"] == 20_000)
            #expect(after.json["variables"]?["decision"] == "approve")
            let history = try await api.get("/v1/process-instances/\(instance)/history").items
            #expect(history.contains { $0["node"] == "approved" }, "the gateway read the decision")

            // Once done, there is no form and nothing to complete.
            #expect(try await api.get("/v1/tasks/\(taskID)/form").status == .notFound)
            #expect(try await api.post("/v1/tasks/\(taskID)/complete", ["variables": ["decision": "approve"]]).status == .conflict)
            // A task a person made has no form either.
            let own = try await api.post("/v1/tasks", ["title": "Call Mia", "assignee": ["kind": "department", "id": "finance"]])
            let ownID = try #require(own.json["id"]?.stringValue, "\(own.text)")
            #expect(try await api.get("/v1/tasks/\(ownID)/form").status == .notFound)
            #expect(try await api.post("/v1/tasks/\(ownID)/complete", [:]).status == .conflict)
        }
    }
}
