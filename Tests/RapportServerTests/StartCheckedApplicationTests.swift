import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing

/// The harness itself: a live test of an application whose start-up fails must fail, not wait
/// forever for a port (a failed migration once hung the whole suite this way).
@Suite("Test harness: start-up failures")
struct StartCheckedApplicationTests {
    struct MigrationFailed: Error {}

    @Test("a start-up step that throws fails the live test with its error", .timeLimit(.minutes(1)))
    func failedStartFails() async throws {
        var base = Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        base.beforeServerStarts { throw MigrationFailed() }
        let app = StartCheckedApplication(base)
        let error = await #expect(throws: StartError.self) { try await Self.checkFirst(app) }
        #expect(error?.underlying is MigrationFailed)
    }

    /// A live test of `app` whose body checks the application first, which must throw. The body
    /// waits until the server has taken its connection in: a server that stops while a
    /// connection it accepted is still queued, not yet served, traps in swift-nio
    /// (apple/swift-nio#3481) — which a body that threw at once made this suite do now and then.
    static func checkFirst<Base: ApplicationProtocol>(_ app: StartCheckedApplication<Base>) async throws {
        try await app.test(.live) { client in
            _ = try await client.execute(uri: "/", method: .get)
            try app.check()
            Issue.record("the test body ran although the application's check should have failed")
        }
    }

    struct ServiceBroke: Error {}

    /// Throws at once, after telling `failed`.
    struct FailingService: Service {
        let failed: AsyncStream<Void>.Continuation
        func run() async throws {
            failed.yield()
            throw ServiceBroke()
        }
    }

    @Test("a background service that fails before the server starts fails the live test with its error", .timeLimit(.minutes(1)))
    func failedServiceFails() async throws {
        let (failures, failed) = AsyncStream.makeStream(of: Void.self)
        var base = Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                               services: [FailingService(failed: failed)])
        // The server starts only after the service has failed: unchecked, the failure cancels the
        // application under the test, which sees only a refused connection.
        base.beforeServerStarts {
            for await _ in failures { break }
        }
        let app = StartCheckedApplication(base)
        let error = await #expect(throws: BackgroundServiceFailed.self) { try await Self.checkFirst(app) }
        #expect(error?.underlying is ServiceBroke)
    }

    @Test("an application that starts is tested as usual", .timeLimit(.minutes(1)))
    func goodStartRuns() async throws {
        let router = Router()
        router.get("ping") { _, _ in "pong" }
        let app = StartCheckedApplication(Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))))
        try await app.test(.live) { client in
            try app.check()
            let response = try await client.execute(uri: "/ping", method: .get)
            #expect(String(buffer: response.body) == "pong")
        }
    }
}
