import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/mail-messages`: email received and sent — what was read from it (or written), where a
/// sent one stands, the raw message, and its attachments; and replies by email on a
/// conversation. Customer files are downloads, never pages of this origin: they go out as
/// attachments, sandboxed, with types that a browser would run replaced by octet-stream.
struct MailController<Mail: MailStore, Outbox: MailOutboxStore> {
    let mail: Mail
    let outbox: Outbox
    let organization: any OrganizationStore
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "mail-messages/:id", show)
        routes.on(.get, "mail-messages/:id/raw", raw)
        routes.on(.get, "mail-messages/:id/attachments/:attachment_id", attachment)
        routes.on(.post, "mail-messages/:id/resend", resend)
        routes.on(.post, "conversations/:id/email-replies", reply)
        routes.on(.get, "mail-addresses/:address", address)
        routes.on(.get, "channels/:id/mailbox", mailbox)
    }

    /// How the channel's IMAP mailbox is being read: how far, how many messages, the last error.
    @Sendable func mailbox(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard try await organization.channel(id) != nil else { throw StoreError.notFound("channel", id) }
        var object = JSONObject()
        object["channel_id"] = .string(id)
        object["position"] = try await mail.mailboxPosition(of: id)?.json ?? .null
        return .json(.object(object))
    }

    /// Whether mail to an address bounced (a relay's refusal or a delivery report), and why.
    @Sendable func address(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let raw = try context.parameters.require("address")
        let address = (raw.removingPercentEncoding ?? raw).lowercased()
        guard address.count <= 320 else { throw Problem.badRequest(field: "address", "must be at most 320 characters") }
        return .json(UndeliverableAddress.json(address: address, try await outbox.undeliverable([address])[address]))
    }

    /// 201 with the queued message: on the timeline and in the relay's queue, committed together.
    @Sendable func reply(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        let settings = services.configuration.mail
        guard settings.relay != nil else {
            throw Problem(status: .conflict, type: "mail-relay-not-configured", title: "No mail relay",
                          detail: "this server sends no email: start it with --mail-relay (see the README's Email out section)")
        }
        // Files come base64-encoded: a third larger than the bytes they carry.
        let limit = max(services.configuration.maxBodyBytes, settings.attachmentMaxBytes / 3 * 4 + 256 * 1_024)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let reply = try EmailReply.read(body, attachmentLimit: settings.attachmentMaxBytes)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let record = try await outbox.queueReply(reply, toConversation: id, hostname: settings.hostname, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: record.json.serialized(), location: "/v1/mail-messages/\(record.id)")
        }
    }

    /// Sends an unconfirmed, failed or bounced message again, with the same Message-ID.
    @Sendable func resend(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        let record = try await services.writer.write { tx in try await outbox.resendMail(id, actor: principal.actor, in: tx) }
        return .json(record.json)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let record = try await mail.mailMessage(id) else { throw StoreError.notFound("mail message", id) }
        return .json(record.json)
    }

    @Sendable func raw(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let bytes = try await mail.rawMessage(id) else { throw StoreError.notFound("mail message", id) }
        return .bytes(bytes, status: .ok, contentType: "message/rfc822", headers: FileDownload.headers(filename: "\(id).eml"))
    }

    @Sendable func attachment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        let attachmentID = try context.parameters.require("attachment_id")
        guard let (summary, content) = try await mail.attachment(attachmentID, of: id) else {
            throw StoreError.notFound("attachment", attachmentID)
        }
        guard let content else {
            throw Problem(status: .gone, type: "attachment-not-kept", title: "Attachment not kept",
                              detail: "the attachment was \(summary.size) bytes, over the limit for keeping attachments")
        }
        return .bytes(content, status: .ok, contentType: FileDownload.safeType(summary.contentType),
                      headers: FileDownload.headers(filename: summary.filename ?? "attachment"))
    }

}
