import HummingbirdTesting
import Logging
import RapportStore
import RapportTestSupport
import ServiceLifecycle
import Testing

@Suite("Server: graceful shutdown")
struct GracefulShutdownTests {
    /// Waits for work that never comes until cancelled, then throws `CancellationError`, as a
    /// background service waiting for the schema or for work does.
    struct WaitingService: Service {
        let started: AsyncStream<Void>.Continuation
        func run() async throws {
            try await untilGracefulShutdown {
                started.yield()
                let (work, arrival) = AsyncStream.makeStream(of: Void.self)
                defer { arrival.finish() }  // held until cancelled: nothing arrives
                for await _ in work {}
                try Task.checkCancellation()
            }
        }
    }

    @Test("a background service cancelled by graceful shutdown while it waits ends without error")
    func waitingServiceEndsQuietly() async throws {
        let (starts, started) = AsyncStream.makeStream(of: Void.self)
        let group = ServiceGroup(services: [WaitingService(started: started)], logger: TestDatabases.logger)
        let running = Task { try await group.run() }
        for await _ in starts { break }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// SIGTERM just after start, while the background services still wait for the schema, once
    /// made the service group fail with `CancellationError` (and `rapport serve` exit with it).
    /// One request is served first: a server that stops while the connection it accepted is still
    /// queued, not yet served, can trap or hang in swift-nio (apple/swift-nio#3481).
    @Test("a shutdown right after start ends the server without error")
    func shutdownRightAfterStart() async throws {
        try await withServedApp { served in
            let live = try await served.client.execute(TestClient.Request("/health/live", method: .get, authority: "localhost",
                                                                          headers: [.connection: "keep-alive"]))
            #expect(live.status == .ok)
            try await served.shutDown()
        }
    }
}
