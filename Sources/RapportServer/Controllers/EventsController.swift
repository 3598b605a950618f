import Hummingbird
import NIOCore
import RapportCore
import RapportStore
import ServiceLifecycle
import Synchronization

/// `/v1/events`: the ordered log of committed changes, paged by sequence or streamed live.
struct EventsController<Events: EventStore> {
    let events: Events
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "events", query: ["after", "cursor", "limit", "filter"], list)
        routes.on(.get, "events/stream", query: ["after", "heartbeat", "limit", "filter"], stream)
        routes.on(.get, "consumers", consumers)
    }

    /// The consumers of the log (duplicate monitor, …): where each stands and how far behind.
    @Sendable func consumers(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readEvents)
        let head = try await events.eventLogHead()
        let positions = try await events.consumerPositions()
        return .json(["data": .array(positions.map { consumer in
            ["name": .string(consumer.name), "position": .string(String(consumer.position)), "head": .string(String(head)),
             "lag": .integer(max(0, head - consumer.position)), "updated_at": .string(consumer.updatedAt.rfc3339)]
        }), "next_cursor": .null])
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readEvents)
        // Both are checked when both are given: a malformed cursor is refused, not passed over.
        let after = try Self.position(try request.query("after"), field: "after")
        let cursor = try Self.position(try request.query("cursor"), field: "cursor")
        let position = after ?? cursor ?? 0
        let limit = try request.limit(default: 100, max: 1_000)
        let filter = try Self.filter(request)
        let events = try await events.events(after: position, limit: limit)
        let next = events.count == limit ? events.last.map { String($0.sequence) } : nil
        let reader = principal.eventReader
        let visible = events.filter { EventVisibility.allows(reader, toSee: $0) && (filter?.matches($0) ?? true) }
        return .json(["data": .array(visible.map(\.cloudEvent)), "next_cursor": next.map(JSONValue.string) ?? .null])
    }

    /// Server-Sent Events: every event after `Last-Event-ID` (or `after`) that the caller may
    /// read, then each new one as it commits, one CloudEvent JSON per message with its sequence as
    /// the message id. The stream follows the log at the client's own pace, so a slow client
    /// lags and resumes where it is; it never skips. A comment line every `heartbeat` seconds
    /// keeps proxies from closing a quiet stream; `limit` ends it after that many events.
    @Sendable func stream(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readEvents)
        let after = try Self.position(request.query("after"), field: "after")
        // Last-Event-ID (sent by a reconnecting EventSource) wins over after; both must be well-formed.
        let start = try Self.position(request.headers[.lastEventID], field: "Last-Event-ID", beyondLargest: .max) ?? after ?? 0
        let filter = try Self.filter(request)
        var heartbeat = Duration.seconds(15)
        if let text = try request.query("heartbeat") {
            guard let seconds = Int(text), (1...300).contains(seconds) else {
                throw Problem.badRequest(field: "heartbeat", "must be 1 to 300 seconds")
            }
            heartbeat = .seconds(seconds)
        }
        var limit: Int?
        if let text = try request.query("limit") {
            guard let value = Int(text), value >= 1 else { throw Problem.badRequest(field: "limit", "must be a positive count") }
            limit = value
        }
        let selection = EventSelection(reader: principal.eventReader, expression: filter)
        let events = self.events
        let maximum = limit
        let interval = heartbeat
        let body = ResponseBody { writer in
            let stopping = ShutdownFlag()
            try await withGracefulShutdownHandler {
                var follower = EventFollower(events: events, selection: selection, after: start)
                var sent = 0
                var lastWrite = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 2000\n: rapport events after \(start)\n\n"))
                while !Task.isCancelled, !stopping.isSet {
                    let (events, caughtUp) = try await follower.next(limit: maximum.map { $0 - sent } ?? .max)
                    if !events.isEmpty {
                        let frames = events.map { "id: \($0.sequence)\nevent: \($0.type)\ndata: \($0.cloudEvent.jsonString)\n\n" }
                        try await writer.write(ByteBuffer(string: frames.joined()))
                        lastWrite = ContinuousClock.now
                        sent += events.count
                        if let maximum, sent >= maximum { break }
                    }
                    if caughtUp {
                        // This node's commits wake the stream at once; other nodes' within a second.
                        await follower.waitForCommit(timeout: min(interval, .seconds(1)))
                        if ContinuousClock.now - lastWrite >= interval {
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            lastWrite = ContinuousClock.now
                        }
                    }
                }
            } onGracefulShutdown: {
                stopping.set()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// The `filter` query parameter: a CEL expression over the CloudEvent attributes and `data`,
    /// e.g. `type.startsWith("rapport.interaction.") && data.interaction.kind == "message"`; 400
    /// with line and column when it does not compile.
    static func filter(_ request: Request) throws -> CompiledExpression? {
        guard let source = try request.query("filter") else { return nil }
        do {
            return try CompiledExpression(filter: source)
        } catch {
            throw Problem.badRequest(field: "filter", error.description)
        }
    }

    /// A log position from a query or header; nil when absent.
    /// Up to 19 decimal digits, nothing else (no sign, not empty). Beyond the largest sequence:
    /// 400 for a query parameter (its schema is an int64); "after everything" for
    /// `Last-Event-ID` (`beyondLargest`), whose form is only "up to 19 digits".
    static func position(_ text: String?, field: String, beyondLargest: Int64? = nil) throws -> Int64? {
        guard let text else { return nil }
        let refused = Problem.badRequest(field: field, "must be a non-negative sequence number")
        guard (1...19).contains(text.utf8.count), text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw refused
        }
        guard let value = Int64(text) ?? beyondLargest else { throw refused }
        return value
    }
}

/// Set once the server begins to shut down, so open streams end cleanly.
final class ShutdownFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
