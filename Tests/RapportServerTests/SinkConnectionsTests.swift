import AsyncHTTPClient
import Foundation
import NIOCore
import RapportCore
@testable import RapportSync
import Synchronization
import Testing

/// Webhook sinks are called at the address that was checked, never at one a second lookup finds.
@Suite("Webhooks: sink addresses")
struct SinkConnectionsTests {
    /// A resolver that answers from a script and counts how often it was asked.
    final class ScriptedResolver: Sendable {
        let answers: Mutex<[[String]]>
        let asked = Atomic<Int>(0)
        init(_ answers: [[String]]) { self.answers = Mutex(answers) }
        func resolve(_ host: String) async -> [String] {
            asked.add(1, ordering: .relaxed)
            return answers.withLock { $0.count > 1 ? $0.removeFirst() : ($0.first ?? []) }
        }
    }

    @Test("a host that only the checked lookup knows is reached at the checked address")
    func connectsToCheckedAddress() async throws {
        try await Receiver().listening { url in
            let port = try #require(URLComponents(string: url)?.port)
            // `sink.invalid` resolves nowhere else: a client that looked it up again could not connect.
            let resolver = ScriptedResolver([["127.0.0.1"]])
            let connections = SinkConnections(policy: NetworkAddressPolicy(allowPrivate: true), configuration: .init(),
                                              resolve: { await resolver.resolve($0) })
            let client = try (await connections.client(for: "sink.invalid")).get()
            var request = HTTPClientRequest(url: "http://sink.invalid:\(port)/hook")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: "{}"))
            // The clients are shut down whatever the call did (a client dropped running stops the process).
            let answer: Result<HTTPClientResponse, any Error>
            do { answer = .success(try await client.execute(request, timeout: .seconds(30))) } catch { answer = .failure(error) }
            _ = await connections.client(for: "sink.invalid")
            await connections.shutdown()
            #expect(try answer.get().status.code == 200)
            #expect(resolver.asked.load(ordering: .relaxed) == 1, "a fresh resolution was reused")
        }
    }

    @Test("a host with any refused address is refused, and a later lookup cannot turn it private")
    func refusesPrivateAddresses() async throws {
        // First public, then (rebinding) private: the second answer comes only after the ttl.
        let resolver = ScriptedResolver([["203.0.113.7", "10.0.0.5"], ["203.0.113.7"]])
        let connections = SinkConnections(policy: NetworkAddressPolicy(allowPrivate: false), configuration: .init(),
                                          ttl: .zero, resolve: { await resolver.resolve($0) })
        guard case .failure(let refusal) = await connections.client(for: "rebind.example") else {
            Issue.record("a host resolving to 10.0.0.5 was accepted")
            await connections.shutdown()
            return
        }
        #expect(refusal.reason.contains("10.0.0.5"), "\(refusal.reason)")
        let rebinding = ScriptedResolver([["203.0.113.7"], ["127.0.0.1"]])
        let pinned = SinkConnections(policy: NetworkAddressPolicy(allowPrivate: false), configuration: .init(),
                                     ttl: .zero, resolve: { await rebinding.resolve($0) })
        #expect((try? await pinned.client(for: "rebind.example").get()) != nil)
        let rebound = await pinned.client(for: "rebind.example")
        await connections.shutdown()
        await pinned.shutdown()
        guard case .failure = rebound else {
            Issue.record("the rebound loopback address was accepted")
            return
        }
    }
}
