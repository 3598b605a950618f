import RapportCore

/// A message a client sends on `/v1/events/ws`.
enum EventSocketRequest: Sendable {
    /// Start (or replace) subscription `id`: events after `after` (nil: from the current head)
    /// that the key's role may read and that `selection`'s filters admit.
    case subscribe(id: String, after: Int64?, expression: CompiledExpression?, filter: SubscriptionFilter?)
    /// Stop subscription `id`.
    case unsubscribe(id: String)
}

/// Why a client message was refused: the problem to send back, and the subscription it concerns.
struct EventSocketRefusal: Error, Sendable {
    var id: String?
    var problem: Problem
}

extension EventSocketRequest {
    static let maximumIDLength = 64

    /// Reads one text message; a refusal names the offending field (`message`, `type`, `id`,
    /// `after`, `filter` with line:column, `filters[0].prefix.type`, …).
    static func read(_ text: String) throws(EventSocketRefusal) -> EventSocketRequest {
        guard let value = try? JSONParser.parse(text), let object = value.objectValue else {
            throw EventSocketRefusal(problem: .badRequest(field: "message", "must be a JSON object"))
        }
        let id = object["id"]?.stringValue
        let type = object["type"]?.stringValue
        guard type == "subscribe" || type == "unsubscribe" else {
            throw EventSocketRefusal(id: id, problem: .badRequest(field: "type", "must be \"subscribe\" or \"unsubscribe\""))
        }
        var issues: [FieldIssue] = []
        if let id {
            if id.isEmpty || id.count > maximumIDLength {
                issues.append(FieldIssue(field: "id", message: "must be 1 to \(maximumIDLength) characters"))
            }
        } else {
            issues.append(FieldIssue(field: "id", message: "must be a string naming the subscription"))
        }
        guard type == "subscribe" else {
            guard issues.isEmpty, let id else { throw EventSocketRefusal(id: id, problem: .invalid(ValidationFailure(issues))) }
            return .unsubscribe(id: id)
        }
        var after: Int64?
        if let value = object["after"], !value.isNull {
            if let text = value.stringValue, let position = Int64(text), position >= 0 {
                after = position
            } else {
                issues.append(FieldIssue(field: "after", message: "must be a non-negative sequence number as a string"))
            }
        }
        var expression: CompiledExpression?
        switch object["filter"] {
        case nil, .null?:
            break
        case .string(let source)?:
            do {
                expression = try CompiledExpression(filter: source)
            } catch {
                issues.append(FieldIssue(field: "filter", message: error.description))
            }
        default:
            issues.append(FieldIssue(field: "filter", message: "must be a CEL expression as a string"))
        }
        var filter: SubscriptionFilter?
        if let filters = object["filters"], !filters.isNull {
            do {
                filter = try SubscriptionFilter.parse(filters, path: "filters")
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty, let id else { throw EventSocketRefusal(id: id, problem: .invalid(ValidationFailure(issues))) }
        return .subscribe(id: id, after: after, expression: expression, filter: filter)
    }
}
