import HTTPTypes
import Hummingbird


/// Serves the console: the page at `/` and its assets under `/console/<version>/`, with the
/// headers that keep customer text from ever running as code and let browsers cache assets for good.
public struct ConsoleRoutes<Context: RequestContext>: Sendable {
    public let assets: ConsoleAssets

    public init(assets: ConsoleAssets) {
        self.assets = assets
    }

    /// No inline script or style, nothing from another origin, no framing.
    public static var contentSecurityPolicy: String {
        [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
            "connect-src 'self'", "manifest-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
        ].joined(separator: "; ")
    }

    public func register(on router: Router<Context>) {
        router.get("/") { _, _ in try page() }
        router.head("/") { _, _ in try page() }
        router.get("/index.html") { _, _ in try page() }
        router.get("/console/:version/**") { request, context in
            let version = try context.parameters.require("version")
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard version == assets.version, let asset = assets.asset(path) else {
                throw HTTPError(.notFound)
            }
            var headers = Self.securityHeaders
            headers[.contentType] = asset.contentType
            // A dev folder changes under the same name; embedded assets never do.
            headers[.cacheControl] = assets.version == "dev" ? "no-cache" : "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        }
    }

    private func page() throws -> Response {
        guard let body = assets.page() else { throw HTTPError(.notFound) }
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    static var securityHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }
}
