import RapportCore
@testable import RapportFlow
import Testing

@Suite("Reading BPMN files")
struct BPMNReaderTests {
    typealias F = BPMNFixtures

    @Test("the CRM order model deploys: nodes, flows in document order, the gateway's default, the job type")
    func crmOrder() throws {
        let document = try BPMNReader.read(try F.repositoryFile("docs/processes/crm_order.bpmn"))
        let process = try #require(document.process("crm_order"))
        #expect(process.name == "CRM order")
        #expect(process.nodes.count == 10 && process.flows.count == 11)
        let split = process.nodes[try #require(process.node("xor_split"))]
        guard case .exclusiveGateway(let defaultFlow?) = split.kind else {
            Issue.record("xor_split is \(split.kind)")
            return
        }
        #expect(process.flows[defaultFlow].id == "f_small")
        #expect(split.outgoing.map { process.flows[$0].id } == ["f_big", "f_small"])
        guard case .serviceTask(let job) = process.nodes[try #require(process.node("notify_customer"))].kind else {
            Issue.record("notify_customer is not a service task")
            return
        }
        #expect(job == JobDefinition(type: "notify", retries: 3))
    }

    @Test("a file drawn in a modeler keeps its diagram: shapes' bounds and edges' waypoints by element")
    func diagram() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
              xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
              xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
              id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.30.0"
              modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
              <bpmn:process id="Process_1" isExecutable="true">
                <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
                <bpmn:serviceTask id="Activity_1" name="Call customer">
                  <bpmn:extensionElements><zeebe:taskDefinition type="call" retries="5" /></bpmn:extensionElements>
                  <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
                </bpmn:serviceTask>
                <bpmn:endEvent id="Event_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
                <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_1" />
                <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_1" targetRef="Event_1" />
                <bpmn:textAnnotation id="Note_1"><bpmn:text>Call within the hour</bpmn:text></bpmn:textAnnotation>
              </bpmn:process>
              <bpmndi:BPMNDiagram id="BPMNDiagram_1">
                <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1">
                  <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1"><dc:Bounds x="179" y="99" width="36" height="36" /></bpmndi:BPMNShape>
                  <bpmndi:BPMNShape id="Activity_1_di" bpmnElement="Activity_1"><dc:Bounds x="270" y="77" width="100" height="80" /></bpmndi:BPMNShape>
                  <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="215" y="117" /><di:waypoint x="270" y="117" /></bpmndi:BPMNEdge>
                </bpmndi:BPMNPlane>
              </bpmndi:BPMNDiagram>
            </bpmn:definitions>
            """
        let document = try BPMNReader.read(text)
        #expect(document.diagram.shapes["Activity_1"] == DiagramLayout.Bounds(x: 270, y: 77, width: 100, height: 80))
        #expect(document.diagram.edges["Flow_1"] == [DiagramLayout.Point(x: 215, y: 117), DiagramLayout.Point(x: 270, y: 117)])
        guard case .serviceTask(let job) = try #require(document.process("Process_1")).nodes[1].kind else {
            Issue.record("Activity_1 is not a service task")
            return
        }
        #expect(job == JobDefinition(type: "call", retries: 5))
    }

    /// The problems reading `body` gives, as "id@line: message" fragments.
    private func problems(_ body: String) -> [BPMNProblem] {
        do {
            _ = try BPMNReader.read(F.definitions(body))
            return []
        } catch {
            return error.problems
        }
    }

    @Test("an element that would change how the process runs and is not run yet is refused by name and line, never skipped")
    func unsupported() {
        let found = problems("""
            <bpmn:startEvent id="s"/>
            <bpmn:transaction id="call"/>
            <bpmn:boundaryEvent id="b" attachedToRef="call"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>
            <bpmn:startEvent id="t"><bpmn:escalationEventDefinition/></bpmn:startEvent>
            <bpmn:complexGateway id="events"/>
            <bpmn:subProcess id="inner">
              <bpmn:startEvent id="inner_start"><bpmn:compensateEventDefinition/></bpmn:startEvent>
            </bpmn:subProcess>
            \(F.flow("f1", "s", "call"))
            """)
        #expect(found.map(\.elementID) == ["call", "b", "t", "events", "inner_start"])
        #expect(found.map(\.line) == [5, 6, 7, 8, 10])
        #expect(found[0].message.contains("<bpmn:transaction> is not supported yet"))
        #expect(found[1].message.contains("timer needs a timeDuration"))
        #expect(found[2].message.contains("escalationEventDefinition"))
        #expect(found[3].message.contains("<bpmn:complexGateway> is not supported yet"))
        #expect(found[4].message.contains("compensateEventDefinition"))
    }

    @Test("broken graphs are refused: unknown references, unreachable nodes, a default that does not leave the gateway, unconditioned choices")
    func graph() {
        let found = problems("""
            <bpmn:startEvent id="s"/>
            <bpmn:exclusiveGateway id="x" default="elsewhere"/>
            <bpmn:task id="a"/>
            <bpmn:task id="b"/>
            <bpmn:task id="orphan"/>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "x"))
            \(F.flow("f2", "x", "a"))
            \(F.flow("f3", "x", "b"))
            \(F.flow("f4", "a", "nowhere"))
            \(F.flow("f5", "b", "e"))
            """)
        let described = found.map { "\($0.elementID ?? "-"): \($0.message)" }
        #expect(described.contains { $0.hasPrefix("f4: targetRef nowhere") })
        #expect(described.contains { $0.hasPrefix("x: the default flow elsewhere") })
        #expect(described.contains { $0.hasPrefix("orphan: no sequence flow leads here") })
        #expect(described.contains { $0.hasPrefix("f2: a flow out of the gateway x needs a condition") })
        #expect(described.contains { $0.hasPrefix("f3: a flow out of the gateway x needs a condition") })
    }

    @Test("expressions are checked at deploy: CEL syntax errors and FEEL are named with the element")
    func expressions() {
        let found = problems("""
            <bpmn:startEvent id="s"/>
            <bpmn:exclusiveGateway id="x" default="f3"/>
            <bpmn:task id="a"/>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "x"))
            \(F.flow("f2", "x", "a", condition: "amount >"))
            \(F.flow("f3", "x", "a"))
            \(F.flow("f4", "a", "e", condition: "=some x in items satisfies x > 10"))
            \(F.script("sc", "total = amount * \nx = ="))
            """)
        #expect(found.map(\.elementID) == ["f2", "f4", "sc", "sc"])
        #expect(found.first { $0.elementID == "f2" }?.message.contains("is not valid CEL") == true)
        #expect(found.first { $0.elementID == "f4" }?.message.contains("FEEL beyond the subset") == true)
    }

    @Test("Camunda 8's FEEL, the common subset, reads as the CEL it means; what is beyond it is refused with what it is",
          arguments: [
              ("amount > 1000 and not(vip)", #"amount > 1000 && !(vip)"#),
              (#"status = "open" or count(items) >= 3"#, #"status == "open" || size(items) >= 3"#),
              (#"if starts with(customer.name, "A") then 1 else 2"#, #"((customer.name).startsWith("A") ? 1 : 2)"#),
              ("order.lines[1].price * 2 - 1", "order.lines[0].price * 2 - 1"),
              (#"list contains(["a", "b"], tier) != false"#, #"(tier) in (["a", "b"]) != false"#),
              ("string length(lower case(code))", "size((code).lowerAscii())"),
          ])
    func feel(feel: String, cel: String) throws {
        let expression = try #require({ () -> FlowExpression? in
            if case .success(let compiled) = ExpressionReading.compile("=" + feel) { return compiled }
            return nil
        }())
        #expect(expression.source == "=" + feel)
        guard case .success(let translated) = FEELTranslation.cel(from: feel) else {
            Issue.record("refused: \(feel)")
            return
        }
        #expect(translated == cel)
    }

    @Test("FEEL beyond the subset is refused naming what it is", arguments: [
        ("for x in items return x * 2", "`for`"), ("items[x > 1]", "not a filter"), ("x in [1..5]", "ranges"),
        ("date(\"2027-01-01\")", "date()"), ("{a: 1}", "`{`"), ("x ** 2", "`**`"),
    ])
    func feelRefused(feel: String, fragment: String) {
        guard case .failure(let refusal) = FEELTranslation.cel(from: feel) else {
            Issue.record("accepted: \(feel)")
            return
        }
        #expect(refusal.reason.contains(fragment), "\(refusal.reason)")
    }

    @Test("scripts in another language, service tasks without a job type and timers that are not ISO 8601 are refused")
    func taskProblems() {
        let found = problems("""
            <bpmn:startEvent id="s"/>
            <bpmn:scriptTask id="py" scriptFormat="python"><bpmn:script>x = True</bpmn:script></bpmn:scriptTask>
            <bpmn:serviceTask id="svc"/>
            <bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>4 hours</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "py"))
            \(F.flow("f2", "py", "svc"))
            \(F.flow("f3", "svc", "t"))
            \(F.flow("f4", "t", "e"))
            """)
        #expect(found.map(\.elementID) == ["py", "svc", "t"])
        #expect(found[0].message.contains("'python' is not supported"))
        #expect(found[1].message.contains("needs a job type"))
        #expect(found[2].message.contains("not an ISO 8601 duration"))
    }

    @Test("a file whose only process is not executable says so; a file that is not BPMN says what it is")
    func notExecutable() {
        let text = F.definitions("<bpmn:startEvent id=\"s\"/>").replacingOccurrences(of: #"isExecutable="true""#, with: #"isExecutable="false""#)
        #expect(throws: BPMNProblems.self) { try BPMNReader.read(text) }
        do {
            _ = try BPMNReader.read(text)
        } catch {
            #expect(error.problems.first?.message.contains("isExecutable") == true)
        }
        do {
            _ = try BPMNReader.read("<html><body/></html>")
        } catch {
            #expect(error.problems.first?.message.contains("not BPMN 2.0's <definitions>") == true)
        }
    }

    @Test("ISO 8601 durations: parts, fractions, calendar months; malformed ones are refused")
    func durations() throws {
        #expect(ISODuration("PT4H")?.microseconds == Int64(14_400_000_000))
        #expect(ISODuration("P2DT30M")?.days == 2)
        #expect(ISODuration("PT0.5S")?.microseconds == 500_000)
        #expect(ISODuration("P1W")?.days == 7)
        for bad in ["P", "PT", "4H", "P1H", "PT1D", "P1M1Y", "P-1D", ""] {
            #expect(ISODuration(bad) == nil, "\(bad)")
        }
        let january31 = try #require(Timestamp(rfc3339: "2027-01-31T09:00:00Z"))
        #expect(try #require(ISODuration("P1M")).added(to: january31).rfc3339.hasPrefix("2027-02-28T09:00:00"))
    }
}

extension BPMNReaderTests {
    @Test("a collapsed subprocess's content, drawn on a plane of its own, is left out of the process's diagram")
    func collapsedSubprocessPlane() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d" targetNamespace="urn:t">
              <bpmn:process id="p" isExecutable="true">
                <bpmn:startEvent id="s"/>
                <bpmn:subProcess id="sub"><bpmn:startEvent id="in_s"/><bpmn:endEvent id="in_e"/>
                  <bpmn:sequenceFlow id="i1" sourceRef="in_s" targetRef="in_e"/></bpmn:subProcess>
                <bpmn:endEvent id="e"/>
                <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
                <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e"/>
              </bpmn:process>
              <bpmndi:BPMNDiagram id="main"><bpmndi:BPMNPlane id="main_plane" bpmnElement="p">
                <bpmndi:BPMNShape id="sub_di" bpmnElement="sub" isExpanded="false"><dc:Bounds x="200" y="80" width="100" height="80"/></bpmndi:BPMNShape>
              </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
              <bpmndi:BPMNDiagram id="inner"><bpmndi:BPMNPlane id="inner_plane" bpmnElement="sub">
                <bpmndi:BPMNShape id="in_s_di" bpmnElement="in_s"><dc:Bounds x="10" y="10" width="36" height="36"/></bpmndi:BPMNShape>
              </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
            </bpmn:definitions>
            """
        let document = try BPMNReader.read(text)
        #expect(document.diagram.shapes["sub"] == DiagramLayout.Bounds(x: 200, y: 80, width: 100, height: 80))
        #expect(document.diagram.shapes["in_s"] == nil)
    }
}
