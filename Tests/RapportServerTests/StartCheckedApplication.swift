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
    /// The application's background services, each kept from cancelling the application when it
    /// fails or ends early: the test would then see only a refused connection from a server
    /// cancelled under it. The failure is kept for `check()` instead, which names it.
    var services: [any Service] {
        let failure = failure
        return base.services.map { CheckedService(base: $0, failure: failure) }
    }

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

    /// Throws what a start-up step or a background service threw, if one did.
    func check() throws {
        if let error = failure.error {
            if let failed = error as? BackgroundServiceFailed { throw failed }
            throw StartError(underlying: error)
        }
    }
}

/// A background service of the application under test: what it throws is kept, and once it has
/// returned or failed it waits for the application to stop, as the others do.
private struct CheckedService: Service {
    let base: any Service
    let failure: StartFailure

    func run() async throws {
        do {
            try await base.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            failure.record(BackgroundServiceFailed(service: String(describing: type(of: base)), underlying: error))
        }
        try? await gracefulShutdown()
    }
}

/// A background service of the application under test failed.
struct BackgroundServiceFailed: Error, CustomStringConvertible {
    let service: String
    let underlying: any Error
    var description: String { "the background service \(service) failed: \(String(reflecting: underlying))" }
}

/// The first error of the start-up steps or the background services.
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
