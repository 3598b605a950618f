import Foundation
import RapportCore

/// A node's kind as read, before sequence flows and the other nodes are known.
enum NodeKindReading {
    case ready(FlowNodeKind)
    /// An exclusive or inclusive gateway with the id of its default flow.
    case gateway(inclusive: Bool, defaultID: String?)
    /// A boundary event with the id of the activity it is attached to.
    case boundary(EventTrigger, attachedToID: String, interrupting: Bool)
    /// A link throw event with the name of the link catch event it goes on at.
    case linkThrow(String)
    /// A link catch event with its name.
    case linkCatch(String)
    /// An embedded subprocess, whose start event is among the nodes read after it.
    case subProcess
    /// An event subprocess, whose start event is among the nodes read after it.
    case eventSubProcess
}

/// Reads one flow node element: which kind it is and what it needs to run.
struct NodeReading {
    let element: XMLElementNode
    let id: String
    let roots: RootElements
    /// Whether the element is directly in an event subprocess (its start event is an event's).
    let inEventSubprocess: Bool
    private(set) var problems: [BPMNProblem] = []
    /// Whether a timer of the element took its `rapport:businessHours` (set by `timer`).
    var timerTookBusinessHours = false

    init(element: XMLElementNode, id: String, roots: RootElements = RootElements(), inEventSubprocess: Bool = false) {
        self.element = element
        self.id = id
        self.roots = roots
        self.inEventSubprocess = inEventSubprocess
    }

    /// Elements of BPMN that change how a process runs and that Rapport does not run yet.
    static let notYetSupported: Set<String> = [
        "adHocSubProcess", "transaction", "complexGateway", "callChoreography", "choreographyTask",
        "subChoreography",
    ]

    mutating func kind() -> NodeKindReading? {
        let read = elementKind()
        if let hours = extensionElement("businessHours", namespace: BPMNNamespace.rapport), !timerTookBusinessHours, problems.isEmpty {
            problem(hours.line, "rapport:businessHours counts a timer's duration in opening hours, and this element has no timer")
            return nil
        }
        return read
    }

    private mutating func elementKind() -> NodeKindReading? {
        switch element.localName {
        case "startEvent" where inEventSubprocess:
            guard let definition = eventDefinition() else {
                return invalid("the start event of an event subprocess needs an event definition: the event that starts it")
            }
            let interrupting = element.attribute("isInterrupting") != "false"
            guard let trigger = caught(definition, on: "an event subprocess's start event", allowed: ["timer", "message", "signal", "error", "escalation"]) else {
                return nil
            }
            if case .error = trigger, !interrupting {
                return invalid("an error start event always interrupts: remove isInterrupting=\"false\"")
            }
            return .ready(.eventSubProcessStart(trigger, interrupting: interrupting))
        case "startEvent":
            guard let definition = eventDefinition() else { return .ready(.startEvent) }
            switch definition.localName {
            case "conditionalEventDefinition": return eventCondition(definition).map { .ready(.eventStart($0)) }
            case "messageEventDefinition": return messageName(definition).map { .ready(.messageStart($0)) }
            case "signalEventDefinition": return signalName(definition).map { .ready(.signalStart($0)) }
            case "timerEventDefinition": return timer(definition, repeats: true).map { .ready(.timerStart($0)) }
            default: return unsupported("a start event with a \(definition.localName)")
            }
        case "endEvent":
            guard let definition = eventDefinition() else { return .ready(.endEvent(.none)) }
            switch definition.localName {
            case "terminateEventDefinition": return .ready(.endEvent(.terminate))
            case "errorEventDefinition": return code(definition, of: "error").map { .ready(.endEvent(.error($0))) }
            case "escalationEventDefinition": return code(definition, of: "escalation").map { .ready(.endEvent(.escalation($0))) }
            case "signalEventDefinition": return signalName(definition).map { .ready(.endEvent(.signal($0))) }
            case "messageEventDefinition": return job(for: "a message end event").map { .ready(.serviceTask($0)) }
            default: return unsupported("an end event with a \(definition.localName)")
            }
        case "intermediateThrowEvent":
            guard let definition = eventDefinition() else { return .ready(.passThrough) }
            switch definition.localName {
            case "signalEventDefinition": return signalName(definition).map { .ready(.throwEvent(.signal($0))) }
            case "escalationEventDefinition": return code(definition, of: "escalation").map { .ready(.throwEvent(.escalation($0))) }
            case "messageEventDefinition": return job(for: "a message throw event").map { .ready(.serviceTask($0)) }
            case "linkEventDefinition": return linkName(definition).map { .linkThrow($0) }
            default: return unsupported("an intermediate throw event with a \(definition.localName)")
            }
        case "intermediateCatchEvent":
            guard let definition = eventDefinition() else {
                return invalid("an intermediate catch event needs an event definition (what it waits for)")
            }
            if definition.localName == "linkEventDefinition" { return linkName(definition).map { .linkCatch($0) } }
            return caught(definition, on: "an intermediate catch event", allowed: ["timer", "message", "signal", "conditional"]).map { .ready(.catchEvent($0)) }
        case "boundaryEvent":
            guard let attached = element.attribute("attachedToRef"), !attached.isEmpty else {
                return invalid("a boundary event needs attachedToRef: the activity it is on")
            }
            guard let definition = eventDefinition() else {
                return invalid("a boundary event needs an event definition (what it waits for)")
            }
            let interrupting = element.attribute("cancelActivity") != "false"
            guard let trigger = caught(definition, on: "a boundary event", allowed: ["timer", "message", "signal", "error", "escalation", "conditional"],
                                       repeats: !interrupting) else {
                return nil
            }
            if case .error = trigger, !interrupting {
                return invalid("an error boundary event always interrupts its activity: remove cancelActivity=\"false\"")
            }
            return .boundary(trigger, attachedToID: attached, interrupting: interrupting)
        case "exclusiveGateway":
            return .gateway(inclusive: false, defaultID: element.attribute("default"))
        case "inclusiveGateway":
            return .gateway(inclusive: true, defaultID: element.attribute("default"))
        case "parallelGateway":
            return .ready(.parallelGateway)
        case "eventBasedGateway":
            if element.attribute("instantiate") == "true" { return unsupported("an event-based gateway that starts the process (instantiate)") }
            return .ready(.eventBasedGateway)
        case "task", "manualTask":
            return .ready(.passThrough)
        case "scriptTask":
            return script().map { .ready(.scriptTask($0)) }
        case "serviceTask", "sendTask":
            if let action = builtIn() { return action.map { .ready(.builtInTask($0)) } }
            return job(for: "a \(element.localName == "sendTask" ? "send" : "service") task").map { .ready(.serviceTask($0)) }
        case "businessRuleTask":
            if let table = decisionTable() { return table.map { .ready(.decisionTask($0.table, resultVariable: $0.resultVariable)) } }
            if extensionElement("calledDecision", namespace: BPMNNamespace.zeebe) != nil {
                return unsupported("a business rule task calling a DMN decision")
            }
            return job(for: "a business rule task").map { .ready(.serviceTask($0)) }
        case "userTask":
            return userTask().map { .ready(.userTask($0)) }
        case "receiveTask":
            return subscription(element).map { .ready(.catchEvent(.message($0))) }
        case "callActivity":
            return call().map { .ready(.callActivity($0)) }
        case "subProcess" where element.attribute("triggeredByEvent") == "true":
            return .eventSubProcess
        case "subProcess":
            return .subProcess
        case let name where Self.notYetSupported.contains(name):
            return unsupported("<\(element.qualifiedName)>")
        default:
            return invalid("<\(element.qualifiedName)> is not a BPMN 2.0 flow element Rapport knows")
        }
    }

    private mutating func script() -> [ScriptAssignment]? {
        if let zeebe = extensionElement("script", namespace: BPMNNamespace.zeebe) {
            // Camunda 8: one FEEL expression whose value goes in resultVariable.
            let variable = (zeebe.attribute("resultVariable") ?? "").trimmingCharacters(in: .whitespaces)
            guard ExpressionReading.isVariableName(variable) else {
                problem(zeebe.line, "a zeebe:script needs a resultVariable: the variable its expression's value goes in")
                return nil
            }
            switch ExpressionReading.compile(zeebe.attribute("expression") ?? "") {
            case .success(let expression): return [ScriptAssignment(variable: variable, expression: expression)]
            case .failure(let why):
                problem(zeebe.line, "the script's expression \(ExpressionReading.quoted(zeebe.attribute("expression") ?? "")) \(why)")
                return nil
            }
        }
        let format = element.attribute("scriptFormat") ?? ""
        guard ExpressionReading.isCEL(format) else {
            problem(element.line, "the script format \(format.isEmpty ? "(none)" : "'\(format)'") is not supported: write the script in CEL "
                + "with scriptFormat=\"cel\", one `variable = expression` per line")
            return nil
        }
        guard let body = element.child("script", namespace: BPMNNamespace.model) else {
            problem(element.line, "the script task has no <script>")
            return nil
        }
        switch ScriptParsing.assignments(in: body.text) {
        case .failure(let failure):
            problem(body.line + failure.lineOffset, failure.message)
            return nil
        case .success(let lines):
            var assignments: [ScriptAssignment] = []
            for line in lines {
                switch ExpressionReading.compile(line.expression) {
                case .success(let expression):
                    assignments.append(ScriptAssignment(variable: line.variable, expression: expression))
                case .failure(let message):
                    problem(body.line + line.lineOffset, "the expression for \(line.variable), \(ExpressionReading.quoted(line.expression)), \(message)")
                }
            }
            return assignments.count == lines.count ? assignments : nil
        }
    }

    private mutating func job(for what: String) -> JobDefinition? {
        let definition = extensionElement("taskDefinition", namespace: BPMNNamespace.rapport)
            ?? extensionElement("taskDefinition", namespace: BPMNNamespace.zeebe)
        guard let definition else {
            problem(element.line, "\(what) needs a job type (the worker that does it): <rapport:taskDefinition type=\"…\"/> "
                + "(or Camunda 8's <zeebe:taskDefinition type=\"…\"/>) in its extensionElements")
            return nil
        }
        let type = definition.attribute("type")?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !type.isEmpty, !type.hasPrefix("=") else {
            problem(definition.line, type.isEmpty ? "the task definition needs a type" : "a job type written in FEEL is not supported yet; give the type as text")
            return nil
        }
        var retries = 3
        if let text = definition.attribute("retries") {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (0...100).contains(value) else {
                problem(definition.line, "retries must be a whole number from 0 to 100, not \(ExpressionReading.quoted(text))")
                return nil
            }
            retries = value
        }
        return JobDefinition(type: type, retries: retries)
    }

    private mutating func userTask() -> UserTaskDefinition? {
        let rapport = extensionElement("assignment", namespace: BPMNNamespace.rapport)
        let zeebe = extensionElement("assignmentDefinition", namespace: BPMNNamespace.zeebe)
        let assignee = (rapport?.attribute("assignee") ?? zeebe?.attribute("assignee"))?.trimmingCharacters(in: .whitespaces)
        let groups = (rapport?.attribute("candidateGroups") ?? zeebe?.attribute("candidateGroups") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let assignee, assignee.hasPrefix("=") {
            problem(element.line, "an assignee written in FEEL is not supported yet; give the user's id")
            return nil
        }
        var due: ISODuration?
        if let text = rapport?.attribute("dueAfter") {
            guard let parsed = ISODuration(text.trimmingCharacters(in: .whitespaces)) else {
                problem(element.line, "dueAfter \(ExpressionReading.quoted(text)) is not an ISO 8601 duration such as P2D")
                return nil
            }
            due = parsed
        }
        var form: TaskForm?
        if let read = self.form() {
            guard let read else { return nil }
            form = read
        }
        return UserTaskDefinition(assignee: assignee?.isEmpty == true ? nil : assignee, candidateGroups: groups, dueAfter: due, form: form)
    }

    func extensionElement(_ localName: String, namespace: String) -> XMLElementNode? {
        element.child("extensionElements", namespace: BPMNNamespace.model)?.child(localName, namespace: namespace)
    }

    mutating func unsupported(_ what: String) -> NodeKindReading? {
        problem(element.line, "\(what) is not supported yet (the README's BPMN coverage table lists what runs)")
        return nil
    }

    private mutating func invalid(_ message: String) -> NodeKindReading? {
        problem(element.line, message)
        return nil
    }

    mutating func problem(_ line: Int, _ message: String) {
        problems.append(BPMNProblem(elementID: id, line: line, message: message))
    }
}
