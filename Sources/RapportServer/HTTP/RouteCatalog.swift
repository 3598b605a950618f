import Hummingbird
import RapportCore
import Synchronization

/// Every route the application registers, so the OpenAPI document can be held against them.
public final class RouteCatalog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var method: String
        /// OpenAPI form: `/v1/customers/{id}`.
        public var path: String
        /// The query parameters the route reads, as the document declares them; any other is refused.
        public var query: Set<String> = []
        /// Prefixes of parameter families the document describes in prose (`attribute.` for
        /// `attribute.tier=gold`), accepted beside `query`.
        public var queryPrefixes: [String] = []

        /// 400 naming the first query parameter the route does not read, so that a misspelt
        /// filter fails loudly instead of silently listing everything (bodies refuse unknown fields too).
        func refuseUnknownQueryParameters(of request: Request) throws {
            for (name, _) in request.queryItems {
                guard !query.contains(name), !queryPrefixes.contains(where: { name.hasScalarPrefix($0) && name.unicodeScalars.count > $0.unicodeScalars.count }) else {
                    continue
                }
                let known = (query.sorted() + queryPrefixes.map { "\($0)<name>" }).joined(separator: ", ")
                throw Problem.badRequest(field: name, known.isEmpty ? "unknown query parameter: this route takes none"
                                                                   : "unknown query parameter: this route takes \(known)")
            }
        }
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    public var entries: [Entry] { storage.withLock { $0 } }

    /// The methods `path` answers to, for a 405's `Allow`; empty when no route has the path. A
    /// literal segment wins over a parameter (`/v1/customers/lookup` is not `/v1/customers/{id}`),
    /// as it does in the router.
    func allowedMethods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: (literals: Int, methods: Set<String>) = (-1, [])
        for entry in entries {
            let template = entry.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count else { continue }
            var literals = 0
            var matches = true
            for (part, segment) in zip(template, segments) {
                if part.hasPrefix("{") { continue }
                guard part == segment else { matches = false; break }
                literals += 1
            }
            guard matches else { continue }
            if literals > best.literals { best = (literals, []) }
            if literals == best.literals { best.methods.insert(entry.method.uppercased()) }
        }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        return best.methods.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }
    }

    @discardableResult
    func record(_ method: HTTPRequest.Method, _ path: String, query: Set<String> = [], queryPrefixes: [String] = []) -> Entry {
        let openAPIPath = path.split(separator: "/").map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
        let entry = Entry(method: method.rawValue.lowercased(), path: "/" + openAPIPath, query: query, queryPrefixes: queryPrefixes)
        storage.withLock { $0.append(entry) }
        return entry
    }
}

/// Registers routes on a router and records them in the catalog.
struct Routes<Context: RequestContext> {
    let router: Router<Context>
    let catalog: RouteCatalog
    let prefix: String
    let group: RouterGroup<Context>?

    /// Registers `handler` for `method` and `path`; `query` (and `queryPrefixes`) are the query
    /// parameters it reads, and a request with any other is refused before it runs.
    func on(_ method: HTTPRequest.Method, _ path: String, query: Set<String> = [], queryPrefixes: [String] = [],
            _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        let full = prefix.isEmpty ? path : "\(prefix)/\(path)"
        let entry = catalog.record(method, full, query: query, queryPrefixes: queryPrefixes)
        let checked: @Sendable (Request, Context) async throws -> Response = { request, context in
            try entry.refuseUnknownQueryParameters(of: request)
            return try await handler(request, context)
        }
        if let group {
            group.on(RouterPath(path), method: method, use: checked)
        } else {
            router.on(RouterPath(full), method: method, use: checked)
        }
    }
}
