import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/handoffs`: requests from one department to another about a customer, with an SLA in the
/// receiving department's business hours (`/v1/departments/{id}/business-hours`), answered,
/// done or cancelled, and escalated when the SLA lapses unanswered.
struct HandoffsController<Handoffs: HandoffStore> {
    let handoffs: Handoffs
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "handoffs", request)
        routes.on(.get, "handoffs", query: ["department_id", "direction", "status", "customer_id", "limit", "cursor"], list)
        routes.on(.get, "handoffs/:id", show)
        routes.on(.get, "handoffs/:id/steps", steps)
        routes.on(.post, "handoffs/:id/accept", accept)
        routes.on(.post, "handoffs/:id/decline", decline)
        routes.on(.post, "handoffs/:id/complete", complete)
        routes.on(.post, "handoffs/:id/cancel", cancel)
        routes.on(.get, "departments/:id/business-hours", hours)
        routes.on(.put, "departments/:id/business-hours", setHours)
    }

    @Sendable func request(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try HandoffDraft.read(body)
        let author = Colleague(principal)
        let handoffs = self.handoffs
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let handoff = try await handoffs.requestHandoff(draft, by: author, in: tx)
            return StoredResponse(status: 201, body: handoff.json(at: tx.now()).serialized(), etag: handoff.etag,
                                  location: "/v1/handoffs/\(handoff.id)")
        }
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let direction: HandoffDirection
        switch try request.query("direction") {
        case nil: direction = .both
        case let text?:
            guard let chosen = HandoffDirection(rawValue: text) else { throw Problem.badRequest(field: "direction", "must be in, out or both") }
            direction = chosen
        }
        var status: HandoffStatus?
        if let text = try request.query("status") {
            guard let chosen = HandoffStatus(rawValue: text) else {
                throw Problem.badRequest(field: "status", "must be requested, accepted, declined, done or cancelled")
            }
            status = chosen
        }
        let now = handoffs.now()
        let page = try await handoffs.handoffs(departmentID: try request.query("department_id") ?? principal.departmentID, direction: direction,
                                               status: status, customerID: try request.query("customer_id"),
                                               limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page) { $0.json(at: now) }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let handoff = try await handoffs.handoff(id) else { throw StoreError.notFound("handoff", id) }
        return .json(handoff.json(at: handoffs.now()), headers: [.eTag: handoff.etag])
    }

    /// Every step the handoff took, first to last: who asked, who answered, when it escalated.
    @Sendable func steps(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard try await handoffs.handoff(id) != nil else { throw StoreError.notFound("handoff", id) }
        return .page(Page(items: try await handoffs.steps(handoffID: id), nextCursor: nil), \.json)
    }

    @Sendable func accept(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try await step(request, context) { principal, body in
            var reader = try InputReader(body)
            try reader.finish()
            return .accept(userID: principal.userID)
        }
    }

    @Sendable func decline(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try await step(request, context) { _, body in
            var reader = try InputReader(body)
            let reason = reader.string("reason", required: true, maxLength: 4_000)
            try reader.finish()
            return .decline(reason: reason ?? "")
        }
    }

    @Sendable func complete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try await step(request, context) { _, body in
            var reader = try InputReader(body)
            let outcome = reader.string("outcome", maxLength: 4_000)
            try reader.finish()
            return .complete(outcome: outcome)
        }
    }

    @Sendable func cancel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try await step(request, context) { _, body in
            var reader = try InputReader(body)
            try reader.finish()
            return .cancel
        }
    }

    /// One step: the handoff must exist (404 before the body is read), then the body, then the store.
    private func step(_ request: Request, _ context: RapportRequestContext,
                      _ make: (Principal, JSONValue) throws -> HandoffStep) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        guard try await handoffs.handoff(id) != nil else { throw StoreError.notFound("handoff", id) }
        let expected = try request.expectedVersion(of: id)
        let body = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes).value ?? .object(JSONObject())
        let step = try make(principal, body)
        let author = Colleague(principal)
        let handoffs = self.handoffs
        let (handoff, now) = try await services.writer.write { tx in
            (try await handoffs.takeStep(id, step, expectedVersion: expected, by: author, in: tx), tx.now())
        }
        return .json(handoff.json(at: now), headers: [.eTag: handoff.etag])
    }

    @Sendable func hours(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let hours = try await handoffs.businessHours(of: id) else { throw StoreError.notFound("department", id) }
        return .json(["business_hours": hours?.json ?? .null])
    }

    @Sendable func setHours(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        var hours: BusinessHours?
        if let raw = reader.value("business_hours"), !raw.isNull {
            do throws(ValidationFailure) { hours = try BusinessHours.read(raw, path: "business_hours") } catch { reader.absorb(error) }
        } else if reader.object["business_hours"] == nil {
            reader.fail("business_hours", "is required (null: every hour counts)")
        }
        try reader.finish()
        let handoffs = self.handoffs
        let chosen = hours
        try await services.writer.write { tx in try await handoffs.setBusinessHours(chosen, of: id, actor: principal.actor, in: tx) }
        return .json(["business_hours": chosen?.json ?? .null])
    }
}
