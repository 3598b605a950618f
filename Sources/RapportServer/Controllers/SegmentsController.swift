import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// `/v1/segments`: saved CEL filters over customers whose members Rapport keeps current. Reads
/// first wait (briefly) for the segment monitor to have done every committed change, so a
/// customer the caller just changed is counted as it is now.
struct SegmentsController<Segments: SegmentStore, Events: EventStore> {
    let segments: Segments
    let events: Events
    let services: Services
    let monitor: SegmentMonitor
    /// The record types a filter may ask about (`records.deal.exists(d, …)`).
    let recordTypes: any RecordTypeStore
    /// How long a read waits for the monitor before it counts by evaluating the filter.
    static var catchUpWait: Duration { .seconds(2) }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "segments", list)
        routes.on(.post, "segments", create)
        routes.on(.get, "segments/:id", show)
        routes.on(.put, "segments/:id", replace)
        routes.on(.delete, "segments/:id", delete)
        routes.on(.get, "segments/:id/members", query: ["limit", "cursor"], members)
    }

    /// Whether the members reflect every change committed before this request.
    private func membersAreCurrent() async throws -> Bool {
        let head = try await events.eventLogHead()
        return await monitor.caughtUp(through: head, timeout: Self.catchUpWait)
    }

    private func count(_ segment: Segment, current: Bool) async throws -> Int {
        current ? try await segments.memberCount(of: segment.id) : try await segments.evaluatedCount(of: segment)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let current = try await membersAreCurrent()
        var items: [JSONValue] = []
        for segment in try await segments.segments() { items.append(segment.json(count: try await count(segment, current: current))) }
        return .json(["data": .array(items), "next_cursor": .null])
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try SegmentDraft.read(body, recordTypes: try await recordTypes.recordTypes())
        let segments = self.segments
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let (segment, count) = try await segments.createSegment(draft, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: segment.json(count: count).serialized(), etag: segment.etag, location: "/v1/segments/\(segment.id)")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        let current = try await membersAreCurrent()
        guard let segment = try await segments.segment(id) else { throw StoreError.notFound("segment", id) }
        return .json(segment.json(count: try await count(segment, current: current)), headers: [.eTag: segment.etag])
    }

    @Sendable func replace(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        guard try await segments.segment(id) != nil else { throw StoreError.notFound("segment", id) }
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try SegmentDraft.read(body, recordTypes: try await recordTypes.recordTypes())
        let segments = self.segments
        let (segment, count) = try await services.writer.write { tx in
            try await segments.changeSegment(id, draft, expectedVersion: expected, actor: principal.actor, in: tx)
        }
        return .json(segment.json(count: count), headers: [.eTag: segment.etag])
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        let segments = self.segments
        try await services.writer.write { tx in try await segments.deleteSegment(id, expectedVersion: expected, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }

    @Sendable func members(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        _ = try await membersAreCurrent()
        guard try await segments.segment(id) != nil else { throw StoreError.notFound("segment", id) }
        let page = try await segments.members(of: id, limit: try request.limit(), cursor: try request.query("cursor"))
        return .json(["data": .array(page.items.map(\.json)), "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }
}
