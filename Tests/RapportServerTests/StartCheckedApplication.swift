import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An application whose start-up steps (migrations, the first admin key) cannot leave a live test
/// waiting forever.
///
/// HummingbirdTesting's live framework waits for the server's port; when a step run before the
/// server starts throws, the port never comes and the test hangs instead of failing. Wrapped, the
/// steps' first error is kept and the server starts regardless; `check()` then throws that error,
/// so the test fails with it and the application shuts down as after any failure.
struct StartCheckedApplication<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder

    let base: Base
    private let failure = StartFailure()

    init(_ base: Base) {
        self.base = base
    }

    var responder: Responder { get async throws { try await base.responder } }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
    }

    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] {
        let steps = base.processesRunBeforeServerStart
        let failure = failure
        return [{
            do {
                for step in steps { try await step() }
            } catch {
                failure.record(error)
            }
        }]
    }

    /// Throws what a start-up step threw, if one did.
    func check() throws {
        if let error = failure.error { throw StartError(underlying: error) }
    }
}

/// The first error of the start-up steps.
private final class StartFailure: Sendable {
    private let stored = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        stored.withLock { if $0 == nil { $0 = error } }
    }

    var error: (any Error)? { stored.withLock { $0 } }
}

/// A start-up step of the application under test failed.
struct StartError: Error, CustomStringConvertible {
    let underlying: any Error
    var description: String { "the application did not start: \(String(reflecting: underlying))" }
}
