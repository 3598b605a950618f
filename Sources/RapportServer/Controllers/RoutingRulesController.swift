import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// `/v1/rules` and `/v1/settings/routing`: ordered routing rules with their versions, a dry run
/// that explains what routing would do with a sample message, and routing's defaults.
struct RoutingRulesController<Customers: CustomerStore, Routing: RoutingStore, Organization: OrganizationStore> {
    let customers: Customers
    let routing: Routing
    let organization: Organization
    let services: Services
    /// The router, whose caches answer predictions, dry runs and status.
    let router: ConversationRouter

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "rules", list)
        routes.on(.post, "rules", create)
        routes.on(.post, "rules/dry-run", dryRun)
        routes.on(.get, "rules/:id", show)
        routes.on(.put, "rules/:id", replace)
        routes.on(.delete, "rules/:id", delete)
        routes.on(.get, "rules/:id/versions", versions)
        routes.on(.get, "routing/status", status)
        routes.on(.get, "settings/routing", settings)
        routes.on(.put, "settings/routing", replaceSettings)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        return .page(Page(items: try await routing.routingRules(), nextCursor: nil), \.json)
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let draft = try RoutingRuleDraft.read(body, keywordSets: try await routing.keywordSetNames())
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let rule = try await routing.insertRoutingRule(draft, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: rule.json.serialized(), location: "/v1/rules/\(rule.id)")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        guard let rule = try await routing.routingRule(id) else { throw StoreError.notFound("routing rule", id) }
        return .json(rule.json, headers: [.eTag: "\"\(rule.id)-v\(rule.version)\""])
    }

    /// Replaces the definition as the next version; `If-Match` with the version refuses a stale edit.
    @Sendable func replace(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        let draft = try RoutingRuleDraft.read(try await request.jsonBody(limit: limit).value,
                                              keywordSets: try await routing.keywordSetNames())
        let rule = try await services.writer.write { tx in
            try await routing.replaceRoutingRule(id: id, with: draft, expectedVersion: expected, actor: principal.actor, in: tx)
        }
        return .json(rule.json, headers: [.eTag: "\"\(rule.id)-v\(rule.version)\""])
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let id = try context.parameters.require("id")
        try await services.writer.write { tx in try await routing.deleteRoutingRule(id: id, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }

    @Sendable func versions(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        let versions = try await routing.routingRuleVersions(id)
        guard !versions.isEmpty else { throw StoreError.notFound("routing rule", id) }
        return .json(["data": .array(versions), "next_cursor": .null])
    }

    /// Which rules match a sample message, what the classifier predicts, which keywords were
    /// found where, and what routing would do; nothing is stored.
    @Sendable func dryRun(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let sample = try RoutingSample.read(try await request.jsonBody(limit: limit).value,
                                            keywordSets: try await routing.keywordSetNames())
        var customer: JSONValue = .null
        if let customerID = sample.customerID {
            guard let found = try await customers.customer(customerID) else {
                throw Problem.invalid(field: "customer_id", "customer \(customerID) does not exist")
            }
            customer = found.json
        }
        var channel: Channel?
        if let channelID = sample.channelID {
            guard let found = try await organization.channel(channelID) else {
                throw Problem.invalid(field: "channel_id", "channel \(channelID) does not exist")
            }
            channel = found
        }
        let routingContext = RoutingContext(trigger: sample.trigger, interaction: sample.interaction, conversation: nil, customer: customer,
                                            channel: channel?.json ?? .null, channelKind: channel?.kind.rawValue)
        return .json(try await router.dryRun(routingContext, rules: sample.draftRules))
    }

    @Sendable func status(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        return .json(try await router.status())
    }

    @Sendable func settings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        return .json(try await routing.routingSettings().json)
    }

    @Sendable func replaceSettings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let settings = try RoutingSettings.read(try await request.jsonBody(limit: limit).value)
        try await services.writer.write { tx in try await routing.setRoutingSettings(settings, actor: principal.actor, in: tx) }
        return .json(settings.json)
    }
}
