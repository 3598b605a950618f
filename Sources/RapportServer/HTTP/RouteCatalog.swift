import Hummingbird
import Synchronization

/// Every route the application registers, so the OpenAPI document can be held against them.
public final class RouteCatalog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var method: String
        /// OpenAPI form: `/v1/customers/{id}`.
        public var path: String
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

    func record(_ method: HTTPRequest.Method, _ path: String) {
        let openAPIPath = path.split(separator: "/").map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
        storage.withLock { $0.append(Entry(method: method.rawValue.lowercased(), path: "/" + openAPIPath)) }
    }
}

/// Registers routes on a router and records them in the catalog.
struct Routes<Context: RequestContext> {
    let router: Router<Context>
    let catalog: RouteCatalog
    let prefix: String
    let group: RouterGroup<Context>?

    func on(_ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        let full = prefix.isEmpty ? path : "\(prefix)/\(path)"
        catalog.record(method, full)
        if let group {
            group.on(RouterPath(path), method: method, use: handler)
        } else {
            router.on(RouterPath(full), method: method, use: handler)
        }
    }
}
