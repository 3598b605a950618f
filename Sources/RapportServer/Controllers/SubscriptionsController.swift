import Foundation
import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// `/v1/subscriptions`: webhooks shaped like CloudEvents subscriptions, and their delivery logs.
struct SubscriptionsController<Subscriptions: SubscriptionStore> {
    let subscriptions: Subscriptions
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "subscriptions", create)
        routes.on(.get, "subscriptions", list)
        routes.on(.get, "subscriptions/:id", show)
        routes.on(.patch, "subscriptions/:id", update)
        routes.on(.delete, "subscriptions/:id", delete)
        routes.on(.post, "subscriptions/:id/rotate-secret", rotateSecret)
        routes.on(.get, "subscriptions/:id/deliveries", query: ["limit"], deliveries)
        routes.on(.post, "subscriptions/:id/deliveries/:delivery/redeliver", redeliver)
    }

    /// Creates a subscription; the signing secret is in this response only.
    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let new = try NewSubscription.read(body)
        try await checkReachable(new.sink)
        let secret = WebhookSigner.newSecret()
        let subscription = try await services.writer.write { tx in
            try await subscriptions.createSubscription(new, secret: secret, role: principal.role, actor: principal.actor, in: tx)
        }
        guard case .object(var object) = subscription.json else { return .json(subscription.json, status: .created) }
        object["secret"] = .string(secret)
        return .json(.object(object), status: .created, headers: [.location: "/v1/subscriptions/\(subscription.id)"])
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let subscriptions = try await subscriptions.subscriptions()
        return .json(["data": .array(subscriptions.map(\.json)), "next_cursor": .null])
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let subscription = try await subscriptions.subscription(id) else { throw StoreError.notFound("subscription", id) }
        return .json(subscription.json)
    }

    /// Changes the sink, filters or description, or turns the subscription off (`disabled`) and
    /// on again (`active`, e.g. after a 410): deliveries resume with events committed from then on.
    @Sendable func update(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let changes = try SubscriptionChanges.read(body)
        if let sink = changes.sink { try await checkReachable(sink) }
        let subscription = try await services.writer.write { tx in
            try await subscriptions.updateSubscription(id, changes: changes, actor: principal.actor, in: tx)
        }
        return .json(subscription.json)
    }

    /// Replaces the signing secret; the new one is in this response only. The old one goes on
    /// signing (as a second signature) for `previous_secret_expires_in` seconds, 24 hours unless given.
    @Sendable func rotateSecret(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes)
        let rotation = try SecretRotation.read(body)
        let secret = WebhookSigner.newSecret()
        let expiresAt = Timestamp(microseconds: Timestamp.now().microseconds + rotation.previousExpiresIn.nanoseconds / 1_000)
        try await services.writer.write { tx in
            try await subscriptions.rotateSubscriptionSecret(id, to: secret, previousExpiresAt: expiresAt, actor: principal.actor, in: tx)
        }
        return .json(["id": .string(id), "secret": .string(secret), "previous_secret_expires_at": .string(expiresAt.rfc3339)])
    }

    /// Refuses a sink whose host resolves to an address webhooks may not reach.
    private func checkReachable(_ sink: String) async throws {
        let policy = NetworkAddressPolicy(allowPrivate: services.configuration.webhooksAllowPrivate)
        if let host = URLComponents(string: sink)?.host, let refusal = await HostResolver.refusal(ofHost: host, policy: policy) {
            throw Problem.invalid(field: "sink", refusal)
        }
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        try await services.writer.write { tx in try await subscriptions.deleteSubscription(id, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }

    /// The delivery log: each event sent or to be sent, attempts, last status, latency and answer.
    @Sendable func deliveries(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard try await subscriptions.subscription(id) != nil else { throw StoreError.notFound("subscription", id) }
        let deliveries = try await subscriptions.deliveries(of: id, limit: try request.limit(default: 100, max: 1_000))
        return .json(["data": .array(deliveries.map(\.json)), "next_cursor": .null])
    }

    @Sendable func redeliver(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let deliveryID = try context.parameters.require("delivery")
        let delivery = try await services.writer.write { tx in try await subscriptions.redeliver(deliveryID, of: id, in: tx) }
        return .json(delivery.json)
    }
}
