import Hummingbird
import RapportCore
import RapportStore

/// `/v1/events`: the ordered log of committed changes, paged by sequence.
struct EventsController {
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "events", list)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readEvents)
        var after: Int64 = 0
        if let text = request.query("after") ?? request.query("cursor") {
            guard let value = Int64(text), value >= 0 else {
                throw Problem.badRequest(field: "after", "must be a non-negative sequence number")
            }
            after = value
        }
        let limit = try request.limit(default: 100, max: 1_000)
        let events = try await services.store.events(after: after, limit: limit)
        let next = events.count == limit ? events.last.map { String($0.sequence) } : nil
        return .json(["data": .array(events.map(\.cloudEvent)), "next_cursor": next.map(JSONValue.string) ?? .null])
    }
}
