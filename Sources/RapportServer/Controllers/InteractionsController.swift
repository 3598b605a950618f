import Hummingbird
import RapportCore
import RapportStore

/// `/v1/interactions`: touchpoints from every channel, resolved to one customer.
struct InteractionsController<Interactions: InteractionStore> {
    let interactions: Interactions
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "interactions", create)
        routes.on(.get, "interactions", query: ["customer_id", "channel_id", "external_id", "limit", "cursor"], list)
        routes.on(.get, "interactions/:id", show)
    }

    /// 201 for a new interaction; 200 with the stored one when its external id was seen before.
    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let new = try NewInteraction.read(body, normalizer: services.normalizer)
        // The content's analysis for routing, here on the request's thread rather than on the writer.
        let prepared = interactions.prepareIngest(new)
        return try await services.idempotentWrite(request, context: context, body: bytes, prefetch: .ingest(new)) { tx in
            let result = try await interactions.ingestInteraction(new, actor: principal.actor, prepared: prepared, in: tx)
            return StoredResponse(status: result.created ? 201 : 200, body: result.record.serialized(),
                                  location: "/v1/interactions/\(result.interaction.id)")
        }
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let filter = InteractionFilter(customerID: try request.query("customer_id"), channelID: try request.query("channel_id"),
                                       externalID: try request.query("external_id"))
        let page = try await interactions.interactions(matching: filter, limit: try request.limit(), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let interaction = try await interactions.interaction(id) else { throw StoreError.notFound("interaction", id) }
        return .json(interaction.json)
    }
}
