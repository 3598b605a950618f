import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// Phone calls: the provider's call events at `POST /hooks/calls/{channel_id}` (signed with
/// the channel's `call_webhook_secret` as Standard Webhooks does, applied once per event id),
/// and the calls at `/v1/calls/{id}` and `/v1/customers/{id}/calls`.
struct CallsController<Calls: CallStore, Organization: OrganizationStore> {
    let calls: Calls
    let organization: Organization
    let services: Services

    /// The route the provider calls: no API key, the signature is the credential.
    func registerHooks(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "calls/:channel_id", receive)
    }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "calls/:id", show)
        routes.on(.get, "customers/:id/calls", query: ["limit"], list)
    }

    @Sendable func receive(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let channelID = try context.parameters.require("channel_id")
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        guard let channel = try await organization.channel(channelID), channel.kind == .phone else {
            throw StoreError.notFound("phone channel", channelID)
        }
        try CallEventSignature.verify(request.headers, body: bytes, secret: PhoneChannelSettings.secret(of: channel))
        let event = try CallEvent.read(body, normalizer: services.normalizer)
        let (call, replayed) = try await services.writer.write { tx in
            try await calls.apply(event, channelID: channelID, actor: Actor(kind: .system, id: "telephony"), in: tx)
        }
        var response = Response.json(call.json)
        if replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let call = try await calls.call(id) else { throw StoreError.notFound("call", id) }
        return .json(call.json)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        let found = try await calls.calls(ofCustomer: id, limit: try request.limit())
        return .json(.object(["data": .array(found.map(\.json)), "next_cursor": .null]))
    }
}

/// The check of a provider's signature on a call event.
enum CallEventSignature {
    /// How far a signed event's timestamp may be from now (Standard Webhooks' five minutes).
    static let tolerance: Int64 = 5 * 60

    /// Refuses (401) an event without a valid signature of the channel's secret, or signed too
    /// long ago or ahead (a replayed capture).
    static func verify(_ headers: HTTPFields, body: [UInt8], secret: String?, now: Date = Date()) throws {
        func refuse(_ why: String) -> Problem {
            Problem(status: .unauthorized, type: "invalid-signature", title: "Invalid signature", detail: why)
        }
        guard let secret else { throw refuse("the channel has no call_webhook_secret to check events against") }
        guard let id = headers[HTTPField.Name("webhook-id")!], !id.isEmpty,
              let stamp = headers[HTTPField.Name("webhook-timestamp")!].flatMap({ Int64($0) }),
              let signature = headers[HTTPField.Name("webhook-signature")!] else {
            throw refuse("webhook-id, webhook-timestamp and webhook-signature are required")
        }
        guard abs(Int64(now.timeIntervalSince1970) - stamp) <= tolerance else { throw refuse("webhook-timestamp is more than five minutes off") }
        guard WebhookSigner(secrets: [secret]).verifies(header: signature, id: id, timestamp: stamp, body: body) else {
            throw refuse("the signature does not match the body and the channel's secret")
        }
    }
}
