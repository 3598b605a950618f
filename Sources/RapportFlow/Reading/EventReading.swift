import Foundation
import RapportCore

/// Reading events: what a catch, boundary or start event waits for (timers, messages, signals,
/// errors, escalations, links, conditions) and the references they name.
extension NodeReading {
    /// What a catching event waits for, when its definition is one of `allowed`.
    mutating func caught(_ definition: XMLElementNode, on what: String, allowed: Set<String>, repeats: Bool = false) -> EventTrigger? {
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
    mutating func eventDefinition() -> XMLElementNode? {
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
    mutating func subscription(_ holder: XMLElementNode) -> MessageSubscription? {
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
    mutating func messageName(_ definition: XMLElementNode) -> String? {
        named(definition, reference: "messageRef", in: roots.messages, what: "message")
    }

    /// The name of the `<signal>` a signal event's definition refers to (signals are matched by name).
    mutating func signalName(_ definition: XMLElementNode) -> String? {
        named(definition, reference: "signalRef", in: roots.signals, what: "signal")
    }

    mutating func named(_ definition: XMLElementNode, reference attribute: String, in elements: [String: XMLElementNode],
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
    mutating func linkName(_ definition: XMLElementNode) -> String? {
        guard let name = definition.attribute("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            problem(definition.line, "a link event needs a name: the throw goes on at the catch of the same name")
            return nil
        }
        return name
    }

    /// The code of the `<error>` or `<escalation>` a throwing event refers to (it must have one).
    mutating func code(_ definition: XMLElementNode, of what: String) -> String? {
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
    mutating func optionalCode(_ definition: XMLElementNode, of what: String) -> String?? {
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
    mutating func variableCondition(_ definition: XMLElementNode) -> FlowExpression? {
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

    mutating func eventCondition(_ definition: XMLElementNode) -> EventCondition? {
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
    mutating func timer(_ definition: XMLElementNode, repeats: Bool = false) -> TimerDefinition? {
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

    mutating func timerSchedule(_ definition: XMLElementNode, repeats: Bool) -> TimerSchedule? {
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
}
