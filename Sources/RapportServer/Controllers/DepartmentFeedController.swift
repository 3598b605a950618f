import Foundation
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/departments/{id}/feed` and `/v1/departments/{id}/load`: what happened in a department
/// today (or on a given day, in its own time zone) and, for its manager, what each member has open.
struct DepartmentFeedController<Feed: DepartmentFeedStore> {
    let feed: Feed
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "departments/:id/feed", query: ["day", "order", "limit", "cursor"], day)
        routes.on(.get, "departments/:id/load", load)
    }

    @Sendable func day(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let zone = try await feed.timeZone(of: id) else { throw StoreError.notFound("department", id) }
        let day: DepartmentDay
        if let text = try request.query("day") {
            guard let named = DepartmentDay.named(text, in: zone) else { throw Problem.badRequest(field: "day", "must be a date as YYYY-MM-DD") }
            day = named
        } else {
            day = DepartmentDay.containing(feed.now(), in: zone)
        }
        let newestFirst: Bool
        switch try request.query("order") ?? "desc" {
        case "asc": newestFirst = false
        case "desc": newestFirst = true
        default: throw Problem.badRequest(field: "order", "must be asc or desc")
        }
        async let entries = feed.feed(of: id, on: day, newestFirst: newestFirst, limit: try request.limit(max: 200),
                                      cursor: try request.query("cursor"))
        async let summary = feed.summary(of: id, on: day)
        let (page, totals) = try await (entries, summary)
        return .json(["department_id": .string(id), "day": .string(day.date), "time_zone": .string(zone.identifier),
                      "starts_at": .string(day.start.rfc3339), "ends_at": .string(day.end.rfc3339), "summary": totals.json,
                      "data": .array(page.items.map(\.json)), "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }

    @Sendable func load(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        guard principal.role == .admin || principal.role == .manager else {
            throw Problem(status: .forbidden, type: "forbidden", title: "Forbidden",
                          detail: "the load per person is a manager's view: role \(principal.role.rawValue) may not see it")
        }
        let id = try context.parameters.require("id")
        guard try await feed.timeZone(of: id) != nil else { throw StoreError.notFound("department", id) }
        return .json(try await feed.load(of: id, at: feed.now()).json)
    }
}
