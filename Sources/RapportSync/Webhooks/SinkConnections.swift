import AsyncHTTPClient
import RapportCore

/// HTTP clients for webhook sinks, each pinned to the address that was checked.
///
/// A sink's host is resolved once (on NIO's blocking-work pool, not on a task's thread), every
/// address it resolves to is checked against the policy, and the client that posts to it connects
/// to the checked address: the host name still goes into `Host`, TLS SNI and certificate checks,
/// but no second lookup can swap in a private address between check and connect (DNS rebinding).
/// Resolutions are kept for `ttl`; a host that then resolves elsewhere gets a new client.
actor SinkConnections {
    /// Looks up a host's addresses as text.
    typealias Resolve = @Sendable (String) async -> [String]

    private struct Pinned {
        var address: String
        var client: HTTPClient
        var resolvedAt: ContinuousClock.Instant
    }

    private let policy: NetworkAddressPolicy
    private let configuration: HTTPClient.Configuration
    private let resolve: Resolve
    private let ttl: Duration
    private var pinned: [String: Pinned] = [:]
    /// Clients replaced after a host moved; shut down with the rest (requests in flight finish).
    private var retired: [HTTPClient] = []

    init(policy: NetworkAddressPolicy, configuration: HTTPClient.Configuration, ttl: Duration = .seconds(60),
         resolve: @escaping Resolve = HostResolver.lookUp) {
        self.policy = policy
        self.configuration = configuration
        self.ttl = ttl
        self.resolve = resolve
    }

    /// The client to post to `host` with, or why the host may not be called.
    func client(for host: String) async -> Result<HTTPClient, SinkRefusal> {
        let now = ContinuousClock.now
        if let known = pinned[host], now - known.resolvedAt < ttl { return .success(known.client) }
        let addresses = await resolve(host)
        guard let address = addresses.first else { return .failure(SinkRefusal(reason: "\(host) does not resolve")) }
        if let refusal = addresses.lazy.compactMap(policy.refusal(of:)).first { return .failure(SinkRefusal(reason: refusal)) }
        if let known = pinned[host], known.address == address {
            pinned[host]?.resolvedAt = now
            return .success(known.client)
        }
        var configuration = self.configuration
        configuration.dnsOverride = [host: address]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        if let replaced = pinned[host] { retired.append(replaced.client) }
        pinned[host] = Pinned(address: address, client: client, resolvedAt: now)
        return .success(client)
    }

    /// Shuts every client down; call once, when no send is in flight any more.
    func shutdown() async {
        for client in pinned.values.map(\.client) + retired { try? await client.shutdown() }
        pinned = [:]
        retired = []
    }
}

/// Why a sink is not called: its host does not resolve, or resolves to an address the policy refuses.
struct SinkRefusal: Error, Sendable {
    var reason: String
}
