import HummingbirdWebSocket
import Logging
import NIOWebSocket
import RapportCore
import RapportStore
import ServiceLifecycle
import Synchronization

/// One client connection of `/v1/events/ws`: its subscriptions, each following the log at the
/// client's pace.
///
/// A reader task turns client messages into requests; the sender (the only task that writes) answers
/// them and, round by round, sends each subscription its next admitted events. When every
/// subscription is caught up the sender sleeps until a commit, a client message or shutdown.
/// Nothing waits in memory but one page per subscription: a client that reads slowly lags.
struct EventSocketSession {
    /// How long a write may make no progress before the client counts as stalled.
    static let stallLimit = Duration.seconds(30)
    /// Events sent to one subscription per round, so one busy subscription does not starve others.
    static let eventsPerRound = 100
    static let maximumSubscriptions = 32
    /// Close codes: the server is going away (shutdown), or the client fell too far behind.
    static let goingAway = WebSocketErrorCode.goingAway
    static let tryAgainLater = WebSocketErrorCode.unknown(1013)

    let events: any EventStore
    let reader: EventReader
    let requestID: String
    let outbound: WebSocketOutboundWriter
    /// Ends this session first when the server shuts down.
    let openSockets: OpenEventSockets
    let logger: Logger

    /// One subscription of the connection.
    private struct Subscription {
        var id: String
        var follower: EventFollower
        /// Everything admitted up to here has been written: where a reconnecting client resumes.
        var sentThrough: Int64
    }

    /// Why the sender stops writing before the client leaves.
    private enum Ending: Error {
        case stalled
        case shutdown
    }

    /// Serves the connection until the client leaves, the client stalls, or the server shuts down.
    ///
    /// On shutdown the session writes each subscription's resume position and closes with 1001.
    /// `OpenEventSockets` asks for that before the HTTP server stops (as `rapport serve` runs
    /// it); when the server's own graceful shutdown comes first, hummingbird-websocket also closes
    /// the connection with 1000 and whichever comes first wins.
    func run(inbound: WebSocketInboundStream) async throws {
        let wake = Doorbell()
        let mailbox = EventSocketMailbox(sender: wake)
        let stopping = ShutdownFlag()
        let entry = openSockets.enter {
            stopping.set()
            wake.ring()
        }
        defer { openSockets.leave(entry) }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await Self.read(inbound, into: mailbox)
                }
                try await send(mailbox: mailbox, wake: wake, stopping: stopping)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.set()
            wake.ring()
        }
    }

    /// Reads client messages until the client closes; each becomes a request or a refusal.
    private static func read(_ inbound: WebSocketInboundStream, into mailbox: EventSocketMailbox) async {
        defer { mailbox.close() }
        do {
            for try await message in inbound.messages(maxSize: 65_536) {
                guard case .text(let text) = message else {
                    await mailbox.post(.failure(EventSocketRefusal(problem: .badRequest(field: "message", "must be a text message"))))
                    continue
                }
                do {
                    await mailbox.post(.success(try EventSocketRequest.read(text)))
                } catch {
                    await mailbox.post(.failure(error))
                }
            }
        } catch {
            // The connection broke or the server closed it: nothing left to read.
        }
    }

    private func send(mailbox: EventSocketMailbox, wake: Doorbell, stopping: ShutdownFlag) async throws {
        var subscriptions: [Subscription] = []
        let commits = CommitWatch(events: events, wake: wake)
        do {
            while true {
                if stopping.isSet { throw Ending.shutdown }
                let (letters, closed) = mailbox.collect()
                for letter in letters {
                    try await answer(letter, subscriptions: &subscriptions)
                }
                if closed { return }
                var behind = false
                for index in subscriptions.indices {
                    if stopping.isSet { throw Ending.shutdown }
                    let (events, caughtUp) = try await subscriptions[index].follower.next(limit: Self.eventsPerRound)
                    let id = subscriptions[index].id
                    try await write(events.map { EventSocketReply.event(subscription: id, $0) }) { written in
                        subscriptions[index].sentThrough = events[written - 1].sequence
                    }
                    subscriptions[index].sentThrough = subscriptions[index].follower.position
                    behind = behind || !caughtUp
                }
                if !behind, letters.isEmpty {
                    await commits.wait(after: subscriptions.map(\.follower.position).min())
                }
            }
        } catch let ending as Ending {
            for subscription in subscriptions {
                let resume = EventSocketReply.resume(id: subscription.id, after: subscription.sentThrough)
                guard (try? await write([resume], within: .seconds(5))) != nil else { break }
            }
            let (code, reason) = ending == .shutdown ? (Self.goingAway, "server shutting down") : (Self.tryAgainLater, "client too slow")
            try? await outbound.close(code, reason: reason)
        }
    }

    /// Handles one client message, writing its answer.
    private func answer(_ letter: EventSocketMailbox.Letter, subscriptions: inout [Subscription]) async throws {
        switch letter {
        case .failure(let refusal):
            try await write([.error(id: refusal.id, problem: problem(refusal.problem))])
        case .success(.unsubscribe(let id)):
            guard let index = subscriptions.firstIndex(where: { $0.id == id }) else {
                let unknown = Problem(status: .notFound, type: "not-found", title: "Not found", detail: "no subscription \(id)",
                                      issues: [FieldIssue(field: "id", message: "no subscription with this id")])
                try await write([.error(id: id, problem: problem(unknown))])
                return
            }
            subscriptions.remove(at: index)
            try await write([.unsubscribed(id: id)])
        case .success(.subscribe(let id, let after, let expression, let filter)):
            let existing = subscriptions.firstIndex { $0.id == id }
            if existing == nil, subscriptions.count >= Self.maximumSubscriptions {
                let refusal = Problem.invalid(field: "id", "at most \(Self.maximumSubscriptions) subscriptions per connection")
                try await write([.error(id: id, problem: problem(refusal))])
                return
            }
            var start = after ?? 0
            if after == nil { start = try await events.eventLogHead() }
            let selection = EventSelection(reader: reader, expression: expression, subscriptionFilter: filter)
            let subscription = Subscription(id: id, follower: EventFollower(events: events, selection: selection, after: start),
                                            sentThrough: start)
            if let existing {
                subscriptions[existing] = subscription
            } else {
                subscriptions.append(subscription)
            }
            try await write([.subscribed(id: id, after: start)])
        }
    }

    private func problem(_ problem: Problem) -> JSONValue {
        problem.json(instance: "/v1/events/ws", requestID: requestID)
    }

    /// Writes `replies` in order, reporting each count written; throws `Ending.stalled` when a
    /// write makes no progress for `limit`.
    private func write(_ replies: [EventSocketReply], within limit: Duration = Self.stallLimit,
                       progress: (Int) -> Void = { _ in }) async throws {
        guard !replies.isEmpty else { return }
        let tally = WriteTally()
        let outbound = outbound
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for reply in replies {
                    try await outbound.write(.text(reply.text))
                    tally.count()
                }
                return true
            }
            group.addTask {
                while true {
                    let quiet = ContinuousClock.now - tally.lastProgress
                    if quiet >= limit { return false }
                    try await Task.sleep(for: limit - quiet)
                }
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        if tally.written > 0 { progress(tally.written) }
        if !finished { throw Ending.stalled }
    }
}

/// How far a run of writes has come, and when it last moved.
private final class WriteTally: Sendable {
    private let state = Mutex((written: 0, at: ContinuousClock.now))

    var written: Int { state.withLock { $0.written } }
    var lastProgress: ContinuousClock.Instant { state.withLock { $0.at } }

    func count() {
        state.withLock { $0 = ($0.written + 1, .now) }
    }
}
