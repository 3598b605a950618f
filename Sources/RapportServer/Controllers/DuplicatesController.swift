import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// The duplicate review queue, the match model and the matching settings.
struct DuplicatesController<Duplicates: DuplicateStore> {
    let duplicates: Duplicates
    let services: Services
    /// The duplicate check that follows the log and keeps the match model.
    let monitor: DuplicateMonitor

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "duplicates", query: ["status", "customer_id", "limit", "cursor"], list)
        routes.on(.get, "duplicates/:id", show)
        routes.on(.post, "duplicates/:id/accept", accept)
        routes.on(.post, "duplicates/:id/reject", reject)
        routes.on(.get, "matching/status", status)
        routes.on(.post, "matching/train", train)
        routes.on(.get, "settings/matching", settings)
        routes.on(.put, "settings/matching", replaceSettings)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        var status: DuplicateCandidate.Status? = .open
        if let text = try request.query("status") {
            if text == "all" {
                status = nil
            } else {
                guard let parsed = DuplicateCandidate.Status(rawValue: text) else {
                    throw Problem.badRequest(field: "status", "must be open, accepted, rejected, dismissed or all")
                }
                status = parsed
            }
        }
        let page = try await duplicates.duplicates(status: status, customerID: try request.query("customer_id"),
                                                       limit: try request.limit(), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        guard let candidate = try await duplicates.duplicate(id) else { throw StoreError.notFound("duplicate candidate", id) }
        return .json(candidate.json)
    }

    /// Merges the pair: into `survivor_id` (one of the two; the older by default), `fields` overriding.
    @Sendable func accept(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body ?? .object(JSONObject()))
        let survivor = reader.string("survivor_id", maxLength: 64)
        let overrides = reader.customerPatch("fields", normalizer: services.normalizer)
        try reader.finish()
        let (candidate, merge) = try await services.writer.write { tx in
            try await duplicates.decideDuplicate(id, accept: true, survivorID: survivor, overrides: overrides, actor: principal.actor, in: tx)
        }
        guard case .object(var object) = candidate.json else { return .json(candidate.json) }
        if let merge { object["merge"] = merge.json }
        return .json(.object(object))
    }

    @Sendable func reject(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let (candidate, _) = try await services.writer.write { tx in
            try await duplicates.decideDuplicate(id, accept: false, survivorID: nil, overrides: nil, actor: principal.actor, in: tx)
        }
        return .json(candidate.json)
    }

    @Sendable func status(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        return .json(await monitor.status())
    }

    @Sendable func train(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let stored = try await monitor.retrain(actor: principal.actor)
        return .json(["version": .integer(stored.version), "summary": stored.summary, "created_at": .string(stored.createdAt.rfc3339)])
    }

    @Sendable func settings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .json(try await duplicates.matchingSettings().json)
    }

    @Sendable func replaceSettings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let settings = try MatchingSettings.read(body)
        try await services.writer.write { tx in try await duplicates.setMatchingSettings(settings, actor: principal.actor, in: tx) }
        return .json(settings.json)
    }
}
