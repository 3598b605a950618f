import HTTPTypes
import RapportConsole
import RapportCore
import RapportTestSupport
import Testing

/// The console is served by the server itself: its page, its assets under a content-hashed
/// folder, and the headers that keep customer text from running as code.
@Suite("HTTP: the console's files")
struct ConsoleServingTests {
    @Test("the page is served at / with a strict Content-Security-Policy and no inline script")
    func page() async throws {
        try await withApp { api, _ in
            let page = try await api.get("/", auth: .none)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-cache")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let html = page.text
            #expect(!html.contains("%ASSETS%"), "the asset folder must be filled in")
            let base = ConsoleAssets.embedded.assetBase
            #expect(html.contains("\(base)/"))
            // Every script is a file of the console's own; none is inline, none from elsewhere.
            for script in Self.tags("script", in: html) {
                #expect(script.contains("src=\"\(base)/"), "\(script)")
            }
            // The modules each view needs, followed through every static import: the 360's view
            // imports the timeline, which imports the interaction item (two levels down).
            let meta = try #require(Self.tags("meta", in: html).first { $0.contains("name=\"rapport-module-graph\"") })
            let start = try #require(meta.range(of: "content=\""))
            let end = try #require(meta[start.upperBound...].firstIndex(of: "\""))
            let text = String(meta[start.upperBound..<end]).replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&amp;", with: "&")
            let written = try #require(try JSONParser.parse(Array(text.utf8)).objectValue)
            let modules = written["m"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(Set(modules).count == modules.count, "each module once")
            let graph = (written["v"]?.objectValue ?? JSONObject()).dictionary.mapValues { positions in
                (positions.arrayValue ?? []).compactMap { $0.intValue.map { modules[Int($0)] } }
            }
            let customer = graph["js/views/customer.js"] ?? []
            #expect(customer.contains("js/components/timeline.js"), "\(customer)")
            #expect(customer.contains("js/components/interaction-item.js"), "\(customer)")
            #expect(customer.contains("js/api.js") && !customer.contains("js/views/inbox.js"), "\(customer)")
            #expect(graph["js/views/inbox.js"]?.isEmpty == false)
            #expect(Self.tags("[a-z]+", in: html).allSatisfy { !$0.contains(" onclick=") && !$0.contains(" onload=") && !$0.contains(" style=") })
        }
    }

    @Test("assets are served under a content-hashed folder, cached for good; others are 404")
    func assets() async throws {
        try await withApp { api, _ in
            let assets = ConsoleAssets.embedded
            #expect(assets.version.count == 16)
            let main = try await api.get("\(assets.assetBase)/js/main.js", auth: .none)
            #expect(main.status == .ok)
            #expect(main.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(main.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(main.headers[.contentSecurityPolicy] != nil)
            #expect(try await api.get("/console/0000000000000000/js/main.js", auth: .none).status == .notFound)
            #expect(try await api.get("\(assets.assetBase)/js/missing.js", auth: .none).status == .notFound)
            #expect(try await api.get("\(assets.assetBase)/../index.html", auth: .none).status == .notFound)
        }
    }

    @Test("the console's first load stays under 300 KB")
    func budget() {
        let assets = ConsoleAssets.embedded
        #expect(assets.sizes["index.html"] != nil)
        let all = assets.sizes.values.reduce(0, +)
        let first = assets.firstLoadBytes
        // The heaviest first visit: the shell, one catalog and the largest view, not every file.
        #expect(first > 50 * 1024 && first < all, "first load \(first) of \(all) bytes")
        #expect(first < 300 * 1024, "the heaviest first load is \(first) bytes")
    }

    /// The opening tags named `name` (a regular expression) in `html`.
    static func tags(_ name: String, in html: String) -> [String] {
        guard let pattern = try? Regex("<\(name)\\b[^>]*>") else { return [] }
        return html.matches(of: pattern).map { String(html[$0.range]) }
    }
}

@Suite("HTTP: customer search")
struct CustomerSearchTests {
    @Test("finds customers by a phone typed as people write it, a name or company prefix in any script, and an email",
          arguments: Backend.available)
    func search(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let wang = try await api.createCustomer(["name": "王小明", "company": "北京贸易", "identities": ["phone:+1 415 555 0101", "email:xm@example.cn"]])
            let ana = try await api.createCustomer(["name": "Ana Lima", "company": "Lima GmbH", "identities": ["phone:+1 212 555 0199"]])
            func names(_ q: String) async throws -> [String] {
                let reply = try await api.get("/v1/customers/search?q=\(q.addingPercentEncodingForQuery)")
                #expect(reply.status == .ok, "\(q): \(reply.text)")
                return reply.items.compactMap { $0["name"]?.stringValue }
            }
            #expect(try await names("(415) 555-0101") == ["王小明"])
            #expect(try await names("415 555") == ["王小明"])
            #expect(try await names("+1 212") == ["Ana Lima"])
            #expect(try await names("王") == ["王小明"])
            #expect(try await names("北京") == ["王小明"])
            #expect(try await names("ana") == ["Ana Lima"])
            #expect(try await names("LIMA g") == ["Ana Lima"])
            #expect(try await names("xm@EX") == ["王小明"])
            #expect(try await names("zzz").isEmpty)
            // A prefix is text, not a pattern: % and _ match only themselves.
            #expect(try await names("%").isEmpty)
            #expect(try await names("_").isEmpty)
            let both = try await api.get("/v1/customers/search?q=%2B1&limit=1")
            #expect(both.status == .ok)
            #expect(try await api.get("/v1/customers/search").status == .badRequest)
            #expect(try await api.get("/v1/customers/search?q=a&limit=51").status == .badRequest)
            // A merged customer is not offered; its survivor is.
            let merged = try await api.post("/v1/customers/\(try #require(ana["id"]?.stringValue))/merge",
                                            ["customer_ids": [.string(try #require(wang["id"]?.stringValue))]])
            #expect(merged.status == .ok || merged.status == .created, "\(merged.text)")
            #expect(try await names("王").isEmpty)
            #expect(try await names("415 555") == ["Ana Lima"])
        }
    }
}

extension String {
    var addingPercentEncodingForQuery: String {
        var allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".unicodeScalars)
        allowed.remove("+")
        return unicodeScalars.map { scalar in
            allowed.contains(scalar) ? String(scalar) : scalar.utf8Bytes.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }
}

extension Unicode.Scalar {
    fileprivate var utf8Bytes: [UInt8] { Array(String(self).utf8) }
}
