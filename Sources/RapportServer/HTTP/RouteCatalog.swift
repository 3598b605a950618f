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
