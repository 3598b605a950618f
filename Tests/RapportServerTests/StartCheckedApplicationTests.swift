import Hummingbird
import HummingbirdTesting
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
        let error = await #expect(throws: StartError.self) {
            try await app.test(.live) { _ in
                try app.check()
                Issue.record("the test body ran although the application did not start")
            }
        }
        #expect(error?.underlying is MigrationFailed)
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
