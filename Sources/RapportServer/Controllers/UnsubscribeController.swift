import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// One-click unsubscribe (RFC 8058) for the marketing email Rapport sends: the link in its
/// `List-Unsubscribe` header (and at the foot of the text). The token in the path is the
/// credential. A mail program POSTs `List-Unsubscribe=One-Click` to it; a person who opens the
/// link sees a page with one button that does the same — opening it changes nothing, so link
/// checkers cannot unsubscribe anyone.
struct UnsubscribeController {
    let consent: any ConsentStore
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "unsubscribe/:token", page)
        routes.on(.post, "unsubscribe/:token", unsubscribe)
    }

    /// `GET /unsubscribe/{token}`: the page with the button (or the note that it is done).
    @Sendable func page(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let link = try await consent.unsubscribeLink(token) else {
            return Self.html(UnsubscribePage.unknown, status: .notFound)
        }
        return Self.html(link.usedAt == nil ? UnsubscribePage.ask(purpose: link.purpose) : UnsubscribePage.done, status: .ok)
    }

    /// `POST /unsubscribe/{token}` with `List-Unsubscribe=One-Click`: records the withdrawal once.
    @Sendable func unsubscribe(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let body = try await request.body.collect(upTo: 4_096)
        guard String(buffer: body).split(separator: "&").contains("List-Unsubscribe=One-Click") else {
            throw Problem.badRequest(field: "List-Unsubscribe", "the body must be List-Unsubscribe=One-Click (RFC 8058)")
        }
        let consent = self.consent
        _ = try await services.writer.write { tx in try await consent.unsubscribe(token, in: tx) }
        return Self.html(UnsubscribePage.done, status: .ok)
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
        return .bytes(Array(text.utf8), status: status, contentType: "text/html; charset=utf-8", headers: headers)
    }
}

/// The unsubscribe pages, in English and Chinese together (the link does not know the reader's
/// language). Nothing the customer wrote is shown, and nothing in them runs.
enum UnsubscribePage {
    static func ask(purpose: String) -> String {
        let what = purpose == "research" ? ("surveys and studies", "调查和研究") : ("offers and news", "优惠和资讯")
        return document("""
            <h1>Unsubscribe · 退订</h1>
            <p>Stop receiving \(what.0) by email?</p>
            <p lang="zh-CN">不再通过电子邮件接收\(what.1)？</p>
            <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
            <button type="submit">Unsubscribe · 退订</button></form>
            """)
    }

    static let done = document("""
        <h1>Unsubscribed · 已退订</h1>
        <p>You will receive no more of these emails.</p>
        <p lang="zh-CN">您将不再收到此类邮件。</p>
        """)

    static let unknown = document("""
        <h1>Link not found · 链接无效</h1>
        <p>This unsubscribe link is not one we sent.</p>
        <p lang="zh-CN">此退订链接无效。</p>
        """)

    static func document(_ body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Rapport</title></head>
        <body>
        \(body)
        </body></html>
        """
    }
}
