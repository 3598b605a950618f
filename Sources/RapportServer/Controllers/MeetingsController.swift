import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/meetings`: meetings with customers, scheduled, changed and cancelled by invitations sent
/// from an email channel; and each user's private calendar feed (`/calendar/{token}.ics`).
struct MeetingsController<Meetings: MeetingStore> {
    let meetings: Meetings
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "meetings", schedule)
        routes.on(.get, "meetings/:id", show)
        routes.on(.patch, "meetings/:id", reschedule)
        routes.on(.post, "meetings/:id/cancel", cancel)
        routes.on(.get, "customers/:id/meetings", query: ["limit"], list)
        routes.on(.post, "calendar-feeds", createFeed)
    }

    /// The feed calendar programs subscribe to: the token in the path is the credential.
    func registerFeeds(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "calendar/:file", feed)
    }

    @Sendable func schedule(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        try requireRelay()
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try MeetingDraft.read(body, creating: true)
        let hostname = services.configuration.mail.hostname
        let organizer = principal.actor.kind == .user ? principal.actor.id : nil
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let record = try await meetings.schedule(draft, organizerUserID: organizer, hostname: hostname, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: record.json.serialized(), location: "/v1/meetings/\(record.id)")
        }
    }

    @Sendable func reschedule(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        guard try await meetings.meeting(id) != nil else { throw StoreError.notFound("meeting", id) }
        try requireRelay()
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let changes = try MeetingDraft.read(body, creating: false)
        let hostname = services.configuration.mail.hostname
        let record = try await services.writer.write { tx in
            try await meetings.reschedule(id, changes: changes, hostname: hostname, actor: principal.actor, in: tx)
        }
        return .json(record.json)
    }

    @Sendable func cancel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        guard try await meetings.meeting(id) != nil else { throw StoreError.notFound("meeting", id) }
        try requireRelay()
        let hostname = services.configuration.mail.hostname
        let record = try await services.writer.write { tx in try await meetings.cancel(id, hostname: hostname, actor: principal.actor, in: tx) }
        return .json(record.json)
    }

    /// Every change to a meeting is mailed to its attendees: without a relay it cannot be made.
    private func requireRelay() throws {
        guard services.configuration.mail.relay != nil else {
            throw Problem(status: .conflict, type: "mail-relay-not-configured", title: "No mail relay",
                          detail: "meetings are sent by email and this server sends none: start it with --mail-relay")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let record = try await meetings.meeting(id) else { throw StoreError.notFound("meeting", id) }
        return .json(record.json)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        let found = try await meetings.meetings(ofCustomer: id, limit: try request.limit())
        return .json(.object(["data": .array(found.map(\.json)), "next_cursor": .null]))
    }

    /// A new private feed link for the signed-in user (shown once).
    @Sendable func createFeed(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        guard principal.actor.kind == .user, let userID = principal.actor.id else {
            throw Problem(status: .forbidden, type: "user-required", title: "A user is required",
                          detail: "a calendar feed belongs to a user: sign in (an API key has no calendar)")
        }
        let token = try await services.writer.write { tx in try await meetings.createCalendarFeed(for: userID, in: tx) }
        return .json(["url": .string("/calendar/\(token).ics"), "token": .string(token)], status: .created)
    }

    @Sendable func feed(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        guard file.hasSuffix(".ics"), let found = try await meetings.calendarFeed(token: String(file.dropLast(4)), limit: 500) else {
            throw StoreError.notFound("calendar feed", "")
        }
        var calendar = ICalendarComponent("VCALENDAR", properties: [
            ICalendarProperty("PRODID", "-//Rapport//Rapport CRM//EN"), ICalendarProperty("VERSION", "2.0"),
            ICalendarProperty("CALSCALE", "GREGORIAN"), ICalendarProperty("X-WR-CALNAME", "Rapport"),
        ])
        let now = Timestamp.now()
        for record in found {
            guard let parsed = ICalendarContent.parse(MeetingInvitation.calendar(record.meeting, method: .publish, now: now)) else { continue }
            // One VTIMEZONE per zone (RFC 5545 §3.6.5), whichever years each meeting's covered.
            for component in parsed.components {
                if component.name == "VTIMEZONE",
                   calendar.components.contains(where: { $0.name == "VTIMEZONE" && $0.property("TZID") == component.property("TZID") }) { continue }
                calendar.components.append(component)
            }
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "private, no-store"
        return .bytes(Array(calendar.text.utf8), status: .ok, contentType: "text/calendar; charset=utf-8", headers: headers)
    }
}
