import RapportCore

/// A message the server sends on `/v1/events/ws`.
enum EventSocketReply: Sendable {
    case subscribed(id: String, after: Int64)
    case event(subscription: String, Event)
    case unsubscribed(id: String)
    case error(id: String?, problem: JSONValue)
    /// Reconnect and subscribe again with this `after`: the connection is about to close.
    case resume(id: String, after: Int64)

    var text: String {
        let object: JSONValue
        switch self {
        case .subscribed(let id, let after):
            object = ["type": "subscribed", "id": .string(id), "after": .string(String(after))]
        case .event(let subscription, let event):
            object = ["type": "event", "subscription": .string(subscription), "sequence": .string(String(event.sequence)),
                      "event": event.cloudEvent]
        case .unsubscribed(let id):
            object = ["type": "unsubscribed", "id": .string(id)]
        case .error(let id, let problem):
            object = id.map { ["type": "error", "id": .string($0), "problem": problem] } ?? ["type": "error", "problem": problem]
        case .resume(let id, let after):
            object = ["type": "resume", "id": .string(id), "after": .string(String(after))]
        }
        return object.jsonString
    }
}
