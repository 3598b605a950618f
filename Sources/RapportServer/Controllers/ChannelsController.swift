import Hummingbird
import RapportCore
import RapportStore

/// `/v1/channels`: the ways customers reach the company.
struct ChannelsController<Organization: OrganizationStore> {
    let organization: Organization
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "channels", listChannels)
        routes.on(.post, "channels", createChannel)
        routes.on(.get, "channels/:id", showChannel)
        routes.on(.patch, "channels/:id", updateChannel)
        routes.on(.delete, "channels/:id", deleteChannel)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    @Sendable func listChannels(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await organization.channels(), nextCursor: nil), \.json)
    }

    @Sendable func createChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try ChannelChanges.read(body, creating: true)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let channel = try await organization.insertChannel(kind: changes.kind!, name: changes.name!, settings: changes.settings ?? JSONObject(),
                                                     actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: channel.json.serialized(), location: "/v1/channels/\(channel.id)")
        }
    }

    @Sendable func showChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let channel = try await organization.channel(id) else { throw StoreError.notFound("channel", id) }
        return .json(channel.json)
    }

    @Sendable func updateChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let storedKind = try await organization.channel(id)?.kind
        let changes = try ChannelChanges.read(try await request.jsonBody(limit: limit).value, creating: false, storedKind: storedKind)
        let channel = try await services.writer.write { tx in
            try await organization.updateChannel(id: id, changes: changes, actor: principal.actor, in: tx)
        }
        return .json(channel.json)
    }

    @Sendable func deleteChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        try await services.writer.write { tx in try await organization.deleteChannel(id: id, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }
}
