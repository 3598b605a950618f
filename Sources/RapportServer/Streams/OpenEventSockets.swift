import ServiceLifecycle
import Synchronization

/// The open `/v1/events/ws` sessions, and the service that ends them at shutdown before the HTTP
/// server stops.
///
/// When the HTTP server begins its graceful shutdown, hummingbird-websocket closes every WebSocket
/// with 1000 at once, which races a session's own `resume` messages and 1001. Run in a service
/// group after the application (`[app, sockets]`: a group shuts its services down in reverse), this
/// service is shut down first: it tells every session to stop, waits until each has sent where to
/// resume and closed with 1001 (or until `patience` has passed), and only then lets the server stop.
/// A session that opens meanwhile is told to stop as soon as it starts.
public final class OpenEventSockets: Service, Sendable {
    /// How long shutdown waits for the sessions before the server closes what is left.
    let patience: Duration

    private struct State {
        var stops: [Int: @Sendable () -> Void] = [:]
        var nextID = 0
        var ending = false
        var allEnded: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init(patience: Duration = .seconds(5)) {
        self.patience = patience
    }

    /// Registers a session; `stop` asks it to end. The returned id is given back to `leave` when
    /// the session ends. A session that enters during shutdown is stopped at once.
    func enter(stop: @escaping @Sendable () -> Void) -> Int {
        let (id, ending) = state.withLock { state -> (Int, Bool) in
            state.nextID += 1
            state.stops[state.nextID] = stop
            return (state.nextID, state.ending)
        }
        if ending { stop() }
        return id
    }

    func leave(_ id: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stops[id] = nil
            guard state.stops.isEmpty else { return [] }
            defer { state.allEnded = [] }
            return state.allEnded
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for graceful shutdown, then ends every session (see the type's comment).
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the server is not shutting down gracefully, so nothing to hand over
        }
        await endAll()
    }

    /// Asks every open session to stop and waits until all have ended or `patience` has passed.
    func endAll() async {
        let stops = state.withLock { state in
            state.ending = true
            return Array(state.stops.values)
        }
        for stop in stops { stop() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.allSessionsEnded() }
            group.addTask { try? await Task.sleep(for: self.patience) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once no session is open (at once when none is); a cancelled wait returns too.
    private func allSessionsEnded() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.stops.isEmpty || Task.isCancelled { return true }
                    state.allEnded.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiters = state.withLock { state in
                defer { state.allEnded = [] }
                return state.allEnded
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
