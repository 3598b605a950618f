import Foundation
import RapportCore

/// A node's kind as read, before sequence flows are known.
enum NodeKindReading {
    case ready(FlowNodeKind)
    /// An exclusive or inclusive gateway with the id of its default flow.
    case gateway(inclusive: Bool, defaultID: String?)
    /// A boundary event with the id of the activity it is attached to.
    case boundaryTimer(TimerDefinition, attachedToID: String, interrupting: Bool)
}

/// Reads one flow node element: which kind it is and what it needs to run.
struct NodeReading {
    let element: XMLElementNode
    let id: String
    let messages: [String: XMLElementNode]
    private(set) var problems: [BPMNProblem] = []

    init(element: XMLElementNode, id: String, messages: [String: XMLElementNode] = [:]) {
        self.element = element
        self.id = id
        self.messages = messages
    }

    /// Elements of BPMN that change how a process runs and that Rapport does not run yet.
    static let notYetSupported: Set<String> = [
        "subProcess", "adHocSubProcess", "transaction", "callActivity", "eventBasedGateway",
        "complexGateway", "sendTask", "businessRuleTask", "callChoreography", "choreographyTask",
        "subChoreography",
    ]

    mutating func kind() -> NodeKindReading? {
        switch element.localName {
        case "startEvent":
            guard let definition = eventDefinition() else { return .ready(.startEvent) }
            if definition.localName == "conditionalEventDefinition" { return eventCondition(definition).map { .ready(.eventStart($0)) } }
            return unsupported("a start event with a \(definition.localName)")
        case "endEvent":
            guard let definition = eventDefinition() else { return .ready(.endEvent(.none)) }
            if definition.localName == "terminateEventDefinition" { return .ready(.endEvent(.terminate)) }
            return unsupported("an end event with a \(definition.localName)")
        case "intermediateThrowEvent":
            guard let definition = eventDefinition() else { return .ready(.passThrough) }
            return unsupported("an intermediate throw event with a \(definition.localName)")
        case "intermediateCatchEvent":
            guard let definition = eventDefinition() else {
                return invalid("an intermediate catch event needs an event definition (what it waits for)")
            }
            switch definition.localName {
            case "timerEventDefinition": return timer(definition).map { .ready(.timerCatch($0)) }
            case "messageEventDefinition": return subscription(definition).map { .ready(.messageCatch($0)) }
            default: return unsupported("an intermediate catch event with a \(definition.localName)")
            }
        case "boundaryEvent":
            guard let attached = element.attribute("attachedToRef"), !attached.isEmpty else {
                return invalid("a boundary event needs attachedToRef: the activity it is on")
            }
            guard let definition = eventDefinition() else {
                return invalid("a boundary event needs an event definition (what it waits for)")
            }
            guard definition.localName == "timerEventDefinition" else {
                return unsupported("a boundary event with a \(definition.localName)")
            }
            return timer(definition).map { .boundaryTimer($0, attachedToID: attached, interrupting: element.attribute("cancelActivity") != "false") }
        case "exclusiveGateway":
            return .gateway(inclusive: false, defaultID: element.attribute("default"))
        case "inclusiveGateway":
            return .gateway(inclusive: true, defaultID: element.attribute("default"))
        case "parallelGateway":
            return .ready(.parallelGateway)
        case "task", "manualTask":
            return multiInstanceRefused() ?? .ready(.passThrough)
        case "scriptTask":
            return multiInstanceRefused() ?? script().map { .ready(.scriptTask($0)) }
        case "serviceTask":
            return multiInstanceRefused() ?? job().map { .ready(.serviceTask($0)) }
        case "userTask":
            return multiInstanceRefused() ?? userTask().map { .ready(.userTask($0)) }
        case "receiveTask":
            return multiInstanceRefused() ?? subscription(element).map { .ready(.messageCatch($0)) }
        case let name where Self.notYetSupported.contains(name):
            return unsupported("<\(element.qualifiedName)>")
        default:
            return invalid("<\(element.qualifiedName)> is not a BPMN 2.0 flow element Rapport knows")
        }
    }

    /// The one event definition of an event, nil for a none event; several are refused.
    private mutating func eventDefinition() -> XMLElementNode? {
        let definitions = element.children.filter { $0.namespace == BPMNNamespace.model && $0.localName.hasSuffix("EventDefinition") }
        if definitions.count > 1 {
            problem(element.line, "an event with several event definitions is not supported yet")
        }
        if element.attribute("eventDefinitionRef") != nil {
            problem(element.line, "an eventDefinitionRef (an event definition shared by reference) is not supported yet")
        }
        return definitions.first
    }

    /// The message `messageRef` names, with its correlation key (`<rapport:subscription
    /// correlationKey="order_id"/>`, or Camunda 8's `<zeebe:subscription correlationKey="=orderId"/>`
    /// when the key is a plain path).
    private mutating func subscription(_ holder: XMLElementNode) -> MessageSubscription? {
        guard let reference = holder.attribute("messageRef"), !reference.isEmpty else {
            problem(holder.line, "a message catch needs messageRef: the <message> it waits for")
            return nil
        }
        guard let message = messages[reference], let name = message.attribute("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            problem(holder.line, "messageRef \(reference) names no <message> with a name in this file")
            return nil
        }
        let extensions = message.child("extensionElements", namespace: BPMNNamespace.model)
        let declared = extensions?.child("subscription", namespace: BPMNNamespace.rapport)?.attribute("correlationKey")
            ?? extensions?.child("subscription", namespace: BPMNNamespace.zeebe)?.attribute("correlationKey")
        guard var source = declared?.trimmingCharacters(in: .whitespaces), !source.isEmpty else {
            return MessageSubscription(name: name, correlationKey: nil)
        }
        if source.hasPrefix("=") {
            let path = source.dropFirst().trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty, path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else {
                problem(message.line, "the correlation key \(ExpressionReading.quoted(source)) is FEEL beyond a plain path, which is not supported yet; write it in CEL")
                return nil
            }
            source = path
        }
        switch ExpressionReading.compile(source) {
        case .success(let expression): return MessageSubscription(name: name, correlationKey: expression)
        case .failure(let why):
            problem(message.line, "the correlation key \(ExpressionReading.quoted(source)) \(why)")
            return nil
        }
    }

    /// The CEL condition over CRM events of a conditional start event.
    private mutating func eventCondition(_ definition: XMLElementNode) -> EventCondition? {
        guard let condition = definition.child("condition", namespace: BPMNNamespace.model) else {
            problem(definition.line, "a conditional start event needs a <condition>: CEL over the CRM event (type, subject, data)")
            return nil
        }
        let source = condition.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if source.hasPrefix("=") {
            problem(condition.line, "the condition \(ExpressionReading.quoted(source)) is FEEL, which is not supported yet; write it in CEL over the event")
            return nil
        }
        do {
            return EventCondition(source: source, compiled: try CompiledExpression(filter: source))
        } catch {
            problem(condition.line, "the condition \(ExpressionReading.quoted(source)) is not valid CEL over an event: \(error.message) (at \(error.line):\(error.column))")
            return nil
        }
    }

    private mutating func multiInstanceRefused() -> NodeKindReading? {
        let loops = element.children.filter {
            $0.namespace == BPMNNamespace.model && ($0.localName == "multiInstanceLoopCharacteristics" || $0.localName == "standardLoopCharacteristics")
        }
        guard let loop = loops.first else { return nil }
        return unsupported("a task with <\(loop.qualifiedName)>")
    }

    private mutating func timer(_ definition: XMLElementNode) -> TimerDefinition? {
        if let duration = definition.child("timeDuration", namespace: BPMNNamespace.model) {
            let text = duration.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let parsed = ISODuration(text) else {
                problem(duration.line, "the timer duration \(ExpressionReading.quoted(text)) is not an ISO 8601 duration such as PT4H or P2D")
                return nil
            }
            return .duration(parsed)
        }
        if let date = definition.child("timeDate", namespace: BPMNNamespace.model) {
            let text = date.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let parsed = Timestamp(rfc3339: text) else {
                problem(date.line, "the timer date \(ExpressionReading.quoted(text)) is not an ISO 8601 date-time with its offset, such as 2027-01-31T09:00:00Z")
                return nil
            }
            return .date(parsed)
        }
        if definition.child("timeCycle", namespace: BPMNNamespace.model) != nil {
            problem(definition.line, "an intermediate timer cannot repeat: give a timeDuration or a timeDate, not a timeCycle")
            return nil
        }
        problem(definition.line, "the timer needs a timeDuration or a timeDate")
        return nil
    }

    private mutating func script() -> [ScriptAssignment]? {
        if extensionElement("script", namespace: BPMNNamespace.zeebe) != nil {
            problem(element.line, "a zeebe:script is FEEL, which is not supported yet; write the script in CEL with scriptFormat=\"cel\"")
            return nil
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

    private mutating func job() -> JobDefinition? {
        let definition = extensionElement("taskDefinition", namespace: BPMNNamespace.rapport)
            ?? extensionElement("taskDefinition", namespace: BPMNNamespace.zeebe)
        guard let definition else {
            problem(element.line, "a service task needs a job type: <rapport:taskDefinition type=\"…\"/> "
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
        return UserTaskDefinition(assignee: assignee?.isEmpty == true ? nil : assignee, candidateGroups: groups, dueAfter: due)
    }

    private func extensionElement(_ localName: String, namespace: String) -> XMLElementNode? {
        element.child("extensionElements", namespace: BPMNNamespace.model)?.child(localName, namespace: namespace)
    }

    private mutating func unsupported(_ what: String) -> NodeKindReading? {
        problem(element.line, "\(what) is not supported yet (the README's BPMN coverage table lists what runs)")
        return nil
    }

    private mutating func invalid(_ message: String) -> NodeKindReading? {
        problem(element.line, message)
        return nil
    }

    private mutating func problem(_ line: Int, _ message: String) {
        problems.append(BPMNProblem(elementID: id, line: line, message: message))
    }
}
