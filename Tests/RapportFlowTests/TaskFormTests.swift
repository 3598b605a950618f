import RapportCore
import RapportFlow
import Testing

@Suite("User task forms: reading and checking")
struct TaskFormTests {
    typealias F = BPMNFixtures

    static let zeebe = #"xmlns:zeebe="http://camunda.org/schema/zeebe/1.0""#

    static func userTask(_ extensions: String, processExtensions: String = "") -> String {
        """
        \(processExtensions.isEmpty ? "" : "<bpmn:extensionElements>\(processExtensions)</bpmn:extensionElements>")
        <bpmn:startEvent id="s"/>
        <bpmn:userTask id="decide" name="Decide">
          <bpmn:extensionElements><rapport:assignment candidateGroups="finance"/>\(extensions)</bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:endEvent id="e"/>
        \(F.flow("f1", "s", "decide"))
        \(F.flow("f2", "decide", "e"))
        """
    }

    static func form(_ body: String, processExtensions: String = "") throws -> TaskForm {
        let process = try #require(BPMNReader.read(F.definitions(userTask(body, processExtensions: processExtensions), extraNamespaces: zeebe)).processes.first)
        var form: TaskForm?
        if case .userTask(let task) = process.nodes[try #require(process.node("decide"))].kind { form = task.form }
        return try #require(form, "the user task has no form")
    }

    static let loanForm = """
        <rapport:form>
          <rapport:field key="decision" label="Decision" type="choice" required="true">
            <rapport:option value="approve" label="Approve"/><rapport:option value="decline" label="Decline"/>
          </rapport:field>
          <rapport:field key="approved_amount" label="Approved amount" type="number" min="0" max="50000" value="amount"/>
          <rapport:field key="term" label="Term (months)" type="integer" min="6" max="120"/>
          <rapport:field key="reference" label="Reference" type="text" pattern="[A-Z]{2}-[0-9]{4}" maxLength="7"/>
          <rapport:field key="first_payment" label="First payment" type="date"/>
          <rapport:field key="note" label="Note" type="textarea" maxLength="20"/>
          <rapport:field key="documents_ok" label="Documents checked" type="boolean"/>
        </rapport:form>
        """

    @Test("a submission is checked field by field: every wrong field is named at once; a right one gives the variables")
    func checking() throws {
        let form = try Self.form(Self.loanForm)
        #expect(form.fields.map(\.key) == ["decision", "approved_amount", "term", "reference", "first_payment", "note", "documents_ok"])
        guard case .failure(let refusal) = form.check([
            "approved_amount": 60_000, "term": 12.5, "reference": "ab-12", "first_payment": "2027-02-30", "note": .string(String(repeating: "x", count: 21)),
            "documents_ok": "yes", "colour": "red",
        ]) else {
            Issue.record("accepted a wrong submission")
            return
        }
        let byField = Dictionary(refusal.problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(byField.keys) == ["colour", "decision", "approved_amount", "term", "reference", "first_payment", "note", "documents_ok"])
        #expect(byField["colour"] == "the form has no field colour")
        #expect(byField["decision"] == "Decision is required")
        #expect(byField["approved_amount"] == "Approved amount must be at most 50000")
        #expect(byField["term"] == "Term (months) must be a whole number")
        #expect(byField["first_payment"] == "First payment must be a date, YYYY-MM-DD")
        #expect(byField["decision"] != nil && byField["documents_ok"] == "Documents checked must be true or false")

        let accepted = try form.check(["decision": "approve", "approved_amount": 20_000.5, "term": 24.0, "reference": "LN-2031",
                                       "first_payment": "2028-02-29", "note": "ok", "documents_ok": true, "first_payment_note": .null].filter { $0.value != .null }).get()
        #expect(accepted["term"] == 24, "a whole number comes back as an integer")
        #expect(accepted["approved_amount"] == 20_000.5)
        #expect(accepted.count == 7)
        #expect((try? form.check(["decision": "maybe"]).get()) == nil, "an option not offered is refused")
        #expect((try? form.check(["decision": "approve", "term": .null]).get()) == ["decision": "approve"], "null is the same as absent")
        #expect((try? form.check(["decision": "approve", "reference": "LN-20312"]).get()) == nil, "the pattern matches the whole text")
        #expect((try? form.check(["decision": "approve", "decision_note": .null]).get()) == nil, "null for an unknown key is still unknown")
    }

    @Test("what a form shows first: its value expressions over the task's variables, else the variable of the field's key, when the field takes it")
    func initialValues() throws {
        let form = try Self.form(Self.loanForm)
        let values = form.initialValues(["amount": 25_000, "term": 36, "note": 5, "decision": "approve"])
        #expect(values == ["approved_amount": 25_000, "term": 36, "decision": "approve"], "the note (a number) does not fit a text field")
    }

    @Test("a Camunda form embedded by Camunda Modeler reads as the same fields; decorative components are left out")
    func camundaForm() throws {
        let json = #"""
            {"components":[
              {"text":"# Loan decision","type":"text","id":"Field_1"},
              {"label":"Decision","type":"select","key":"decision","values":[{"label":"Approve","value":"approve"},{"label":"Decline","value":"decline"}],"validate":{"required":true}},
              {"label":"Approved amount","type":"number","key":"approved_amount","validate":{"min":0,"max":50000}},
              {"label":"Term","type":"number","key":"term","decimalDigits":0},
              {"label":"E-mail","type":"textfield","key":"email","validate":{"validationType":"email"}},
              {"label":"Comment","type":"textarea","key":"comment","defaultValue":"none"},
              {"label":"Checked","type":"checkbox","key":"checked"},
              {"type":"datetime","subtype":"date","dateLabel":"First payment","key":"first_payment"},
              {"type":"button","action":"submit","label":"Submit","key":"submit"}
            ],"type":"default","id":"loan-form","schemaVersion":4}
            """#
        let form = try Self.form(#"<zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1"/>"#,
                                 processExtensions: "<zeebe:userTaskForm id=\"UserTaskForm_1\">\(json.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</zeebe:userTaskForm>")
        #expect(form.fields.map(\.key) == ["decision", "approved_amount", "term", "email", "comment", "checked", "first_payment"])
        #expect(form.fields.map(\.kind) == [.choice, .number, .integer, .text, .textarea, .boolean, .date])
        #expect(form.field("decision")?.required == true)
        #expect(form.field("first_payment")?.label == "First payment")
        #expect(form.initialValues([:]) == ["comment": "none"])
        #expect((try? form.check(["email": "not an address"]).get()) == nil)
        #expect((try? form.check(["email": "li@example.com", "decision": "approve"]).get()) != nil)
    }

    @Test("forms that cannot be shown or checked are refused at deploy naming the task")
    func refused() throws {
        for (extensions, processExtensions, fragment) in [
            (#"<rapport:form><rapport:field key="x" type="colour"/></rapport:form>"#, "", "type colour is not one of"),
            (#"<rapport:form><rapport:field key="x" type="choice"/></rapport:form>"#, "", "needs options"),
            (#"<rapport:form><rapport:field key="x" type="text" options="a,b"/></rapport:form>"#, "", "takes no options"),
            (#"<rapport:form><rapport:field key="x.y"/></rapport:form>"#, "", "is not a variable name"),
            (#"<rapport:form><rapport:field key="x" pattern="[a-"/></rapport:form>"#, "", "is not a regular expression"),
            (#"<rapport:form><rapport:field key="x" type="number" min="5" max="1"/></rapport:form>"#, "", "min is above its max"),
            (#"<rapport:form><rapport:field key="x"/><rapport:field key="x"/></rapport:form>"#, "", "two fields of the form set x"),
            (#"<rapport:form><rapport:field key="x" value="amount +"/></rapport:form>"#, "", "is not valid CEL"),
            (#"<zeebe:formDefinition formId="loan-form"/>"#, "", "a linked form (formId loan-form) is not supported"),
            (#"<zeebe:formDefinition formKey="camunda-forms:bpmn:missing"/>"#, "", #"no <zeebe:userTaskForm id="missing">"#),
            (#"<zeebe:formDefinition formKey="camunda-forms:bpmn:f"/>"#, #"<zeebe:userTaskForm id="f">{"components":[{"type":"dynamiclist","key":"rows"}]}</zeebe:userTaskForm>"#,
             "the form component rows of type dynamiclist is not supported"),
            (#"<zeebe:formDefinition formKey="camunda-forms:bpmn:f"/>"#, #"<zeebe:userTaskForm id="f">{"components": [</zeebe:userTaskForm>"#, "is not JSON"),
        ] {
            do {
                _ = try BPMNReader.read(F.definitions(Self.userTask(extensions, processExtensions: processExtensions), extraNamespaces: Self.zeebe))
                Issue.record("accepted: \(extensions)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "decide" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}
