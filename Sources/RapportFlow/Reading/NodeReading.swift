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
    /// Whether a timer of the element took its `rapport:businessHours`.
    private var timerTookBusinessHours = false

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

    /// What a catching event waits for, when its definition is one of `allowed`.
    private mutating func caught(_ definition: XMLElementNode, on what: String, allowed: Set<String>, repeats: Bool = false) -> EventTrigger? {
        let kind = String(definition.localName.dropLast("EventDefinition".count))
        guard allowed.contains(kind) else {
            _ = unsupported("\(what) with a \(definition.localName)")
            return nil
        }
        switch kind {
        case "timer": return timer(definition, repeats: repeats).map { .timer($0) }
        case "message": return subscription(definition).map { .message($0) }
        case "signal": return signalName(definition).map { .signal($0) }
        case "error": return optionalCode(definition, of: "error").map { .error(code: $0) }
        case "conditional": return variableCondition(definition).map { .conditional($0) }
        default: return optionalCode(definition, of: "escalation").map { .escalation(code: $0) }
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
        guard let message = roots.messages[reference], let name = message.attribute("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            problem(holder.line, "messageRef \(reference) names no <message> with a name in this file")
            return nil
        }
        let extensions = message.child("extensionElements", namespace: BPMNNamespace.model)
        let declared = extensions?.child("subscription", namespace: BPMNNamespace.rapport)?.attribute("correlationKey")
            ?? extensions?.child("subscription", namespace: BPMNNamespace.zeebe)?.attribute("correlationKey")
        guard let source = declared?.trimmingCharacters(in: .whitespaces), !source.isEmpty else {
            return MessageSubscription(name: name, correlationKey: nil)
        }
        switch ExpressionReading.compile(source) {
        case .success(let expression): return MessageSubscription(name: name, correlationKey: expression)
        case .failure(let why):
            problem(message.line, "the correlation key \(ExpressionReading.quoted(source)) \(why)")
            return nil
        }
    }

    /// The name of the `<message>` a message start event's definition refers to.
    private mutating func messageName(_ definition: XMLElementNode) -> String? {
        named(definition, reference: "messageRef", in: roots.messages, what: "message")
    }

    /// The name of the `<signal>` a signal event's definition refers to (signals are matched by name).
    private mutating func signalName(_ definition: XMLElementNode) -> String? {
        named(definition, reference: "signalRef", in: roots.signals, what: "signal")
    }

    private mutating func named(_ definition: XMLElementNode, reference attribute: String, in elements: [String: XMLElementNode],
                                what: String) -> String? {
        guard let reference = definition.attribute(attribute), !reference.isEmpty else {
            problem(definition.line, "a \(what) event needs \(attribute): the <\(what)> it is about")
            return nil
        }
        guard let target = elements[reference], let name = target.attribute("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            problem(definition.line, "\(attribute) \(reference) names no <\(what)> with a name in this file")
            return nil
        }
        if name.hasPrefix("=") {
            problem(target.line, "a \(what) name written in FEEL is not supported; give the name as text")
            return nil
        }
        return name
    }

    /// A link event's name, which pairs a throw with its catch.
    private mutating func linkName(_ definition: XMLElementNode) -> String? {
        guard let name = definition.attribute("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            problem(definition.line, "a link event needs a name: the throw goes on at the catch of the same name")
            return nil
        }
        return name
    }

    /// The code of the `<error>` or `<escalation>` a throwing event refers to (it must have one).
    private mutating func code(_ definition: XMLElementNode, of what: String) -> String? {
        guard definition.attribute("\(what)Ref") != nil else {
            problem(definition.line, "a throwing \(what) event needs \(what)Ref: the <\(what)> with the \(what)Code it throws")
            return nil
        }
        guard let code = optionalCode(definition, of: what) else { return nil }
        guard let code else {
            problem(definition.line, "the <\(what)> that \(what)Ref names has no \(what)Code to throw")
            return nil
        }
        return code
    }

    /// The code of the `<error>` or `<escalation>` a catching event refers to; `.some(nil)` when it
    /// refers to none (or to one without a code): it catches every code. Nil after a problem.
    private mutating func optionalCode(_ definition: XMLElementNode, of what: String) -> String?? {
        guard let reference = definition.attribute("\(what)Ref"), !reference.isEmpty else { return .some(nil) }
        let elements = what == "error" ? roots.errors : roots.escalations
        guard let target = elements[reference] else {
            problem(definition.line, "\(what)Ref \(reference) names no <\(what)> in this file")
            return nil
        }
        guard let code = target.attribute("\(what)Code")?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { return .some(nil) }
        if code.hasPrefix("=") {
            problem(target.line, "an \(what) code written in FEEL is not supported; give the code as text")
            return nil
        }
        return .some(code)
    }

    /// The CEL condition over CRM events of a conditional start event.
    /// The condition of an intermediate or boundary conditional event: CEL (or FEEL's `=…`) over
    /// the process variables.
    private mutating func variableCondition(_ definition: XMLElementNode) -> FlowExpression? {
        guard let condition = definition.child("condition", namespace: BPMNNamespace.model) else {
            problem(definition.line, "a conditional event needs a <condition>: CEL over the process variables")
            return nil
        }
        switch ExpressionReading.compile(condition.text) {
        case .success(let expression): return expression
        case .failure(let why):
            problem(condition.line, "the condition \(ExpressionReading.quoted(condition.text)) \(why)")
            return nil
        }
    }

    private mutating func eventCondition(_ definition: XMLElementNode) -> EventCondition? {
        guard let condition = definition.child("condition", namespace: BPMNNamespace.model) else {
            problem(definition.line, "a conditional start event needs a <condition>: CEL over the CRM event (type, subject, data)")
            return nil
        }
        let source = condition.text.trimmingCharacters(in: .whitespacesAndNewlines)
        var cel = source
        if source.hasPrefix("=") {
            switch FEELTranslation.cel(from: String(source.dropFirst())) {
            case .success(let translated): cel = translated
            case .failure(let refusal):
                problem(condition.line, "the condition \(ExpressionReading.quoted(source)) is FEEL beyond the subset Rapport reads (\(refusal.reason)); write it in CEL over the event")
                return nil
            }
        }
        do {
            return EventCondition(source: source, compiled: try CompiledExpression(filter: cel))
        } catch {
            problem(condition.line, "the condition \(ExpressionReading.quoted(source)) is not valid CEL over an event: \(error.message) (at \(error.line):\(error.column))")
            return nil
        }
    }

    /// A timer's duration, date or (where `repeats`) cycle, counted in the business hours its
    /// event's `<rapport:businessHours department="…"/>` names.
    private mutating func timer(_ definition: XMLElementNode, repeats: Bool = false) -> TimerDefinition? {
        guard let schedule = timerSchedule(definition, repeats: repeats) else { return nil }
        guard let hours = extensionElement("businessHours", namespace: BPMNNamespace.rapport) else { return TimerDefinition(schedule) }
        timerTookBusinessHours = true
        let department = (hours.attribute("department") ?? "").trimmingCharacters(in: .whitespaces)
        let counted: ISODuration
        switch schedule {
        case .date:
            problem(hours.line, "a timeDate is a moment and is not counted in business hours: give the timer a timeDuration, or remove rapport:businessHours")
            return nil
        case .duration(let duration): counted = duration
        case .cycle(let cycle): counted = cycle.interval
        }
        guard counted.years == 0, counted.months == 0, !counted.description.contains("W") else {
            problem(hours.line, "the duration \(ExpressionReading.quoted(counted.description)) counts in business hours only in days (business days), "
                    + "hours, minutes and seconds: write two working weeks as P10D")
            return nil
        }
        return TimerDefinition(schedule, businessHours: BusinessHoursReference(department: department.isEmpty ? nil : department))
    }

    private mutating func timerSchedule(_ definition: XMLElementNode, repeats: Bool) -> TimerSchedule? {
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
        if let cycle = definition.child("timeCycle", namespace: BPMNNamespace.model) {
            let text = cycle.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard repeats else {
                problem(cycle.line, "only a timer start event or a non-interrupting boundary event repeats: give this timer a timeDuration or a timeDate")
                return nil
            }
            guard let parsed = TimerCycle(text) else {
                problem(cycle.line, "the timer cycle \(ExpressionReading.quoted(text)) is not an ISO 8601 repeating interval such as R3/PT1H or "
                        + "R/2027-01-04T09:00:00Z/P7D (cron expressions are not supported)")
                return nil
            }
            return .cycle(parsed)
        }
        problem(definition.line, repeats ? "the timer needs a timeDuration, a timeDate or a timeCycle" : "the timer needs a timeDuration or a timeDate")
        return nil
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
