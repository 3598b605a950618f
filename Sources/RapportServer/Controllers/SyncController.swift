import Hummingbird
import RapportCore
import RapportStore

/// `/v1/sync`: offline channels (store terminals, mobile apps) push what they changed and pull
/// what changed elsewhere; both sides converge field by field with the same rules.
struct SyncController<Sync: SyncStore> {
    let sync: Sync
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "sync/push", push)
        routes.on(.get, "sync/pull", query: ["cursor", "limit"], pull)
    }

    @Sendable func push(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let push = try SyncPush.read(body, normalizer: services.normalizer)
        let skew = services.configuration.maxClockSkewMilliseconds
        // Each change is idempotent by its (channel, change id), so the push as a whole is too.
        let outcomes = try await services.writer.write { tx in
            try await sync.applySync(push, maxSkewMilliseconds: skew, actor: principal.actor, in: tx)
        }
        var counts = JSONObject()
        for status in [SyncOutcome.Status.applied, .duplicate, .rejected] {
            counts[status.rawValue] = .integer(Int64(outcomes.filter { $0.status == status }.count))
        }
        return .json(["results": .array(outcomes.map(\.json)), "counts": .object(counts)])
    }

    @Sendable func pull(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        var after: Int64 = 0
        if let text = try request.query("cursor"), !text.isEmpty {
            guard let value = Int64(text), value >= 0 else {
                throw Problem.badRequest(field: "cursor", "must be the cursor of an earlier pull (a log position)")
            }
            after = value
        }
        let page = try await sync.pullCustomers(after: after, limit: try request.limit(default: 100, max: 500))
        let items: [JSONValue] = page.customers.map { pulled in
            var object = JSONObject()
            object["customer_id"] = .string(pulled.customerID)
            object["sequence"] = .string(String(pulled.sequence))
            if let record = pulled.record {
                let customer = record.customer
                object["state"] = .string(customer.mergedInto != nil ? "merged" : customer.deletedAt != nil ? "deleted" : "active")
                object["customer"] = customer.json
                object["versions"] = record.versions.json
            } else {
                object["state"] = "deleted"
            }
            return .object(object)
        }
        return .json(["data": .array(items), "cursor": .string(String(page.cursor)), "has_more": .bool(page.hasMore)])
    }
}
