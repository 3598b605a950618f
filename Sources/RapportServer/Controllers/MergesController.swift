import Hummingbird
import RapportCore
import RapportStore

/// Merging customers, undoing merges, and the survivorship rules that decide merged fields.
struct MergesController<Merges: MergeStore> {
    let merges: Merges
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "customers/:id/merge", merge)
        routes.on(.get, "merges", query: ["customer_id", "limit"], list)
        routes.on(.get, "merges/:id", show)
        routes.on(.post, "merges/:id/undo", undo)
        routes.on(.get, "settings/survivorship", survivorship)
        routes.on(.put, "settings/survivorship", replaceSurvivorship)
    }

    @Sendable func merge(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let survivorID = try context.parameters.require("id")
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        var absorbed: [String] = []
        switch reader.value("customer_ids") {
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                guard let id = element.stringValue, !id.isEmpty else {
                    reader.fail("customer_ids[\(index)]", "must be a customer id")
                    continue
                }
                if id == survivorID {
                    reader.fail("customer_ids[\(index)]", "is the survivor itself")
                } else if absorbed.contains(id) {
                    reader.fail("customer_ids[\(index)]", "is listed twice")
                } else {
                    absorbed.append(id)
                }
            }
            if elements.isEmpty { reader.fail("customer_ids", "must name at least one customer to absorb") }
            if elements.count > MergeOutcome.maxAbsorbed { reader.fail("customer_ids", "may name at most \(MergeOutcome.maxAbsorbed) customers") }
        case nil: reader.fail("customer_ids", "is required")
        case let other?: reader.fail("customer_ids", "expected an array of customer ids, got \(other.typeName)")
        }
        let overrides = reader.customerPatch("fields", normalizer: services.normalizer)
        try reader.finish()
        let absorbedIDs = absorbed
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let outcome = try await merges.mergeCustomers(into: survivorID, absorbing: absorbedIDs, overrides: overrides,
                                                      actor: principal.actor, in: tx)
            return StoredResponse(status: 200, body: outcome.json.serialized(), etag: outcome.survivor.etag,
                                  location: "/v1/merges/\(outcome.record.id)")
        }
    }

    /// `GET /v1/merges?customer_id=`: the merges a customer survived, newest first, for its history.
    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        guard let customerID = try request.query("customer_id"), !customerID.isEmpty else {
            throw Problem.badRequest(field: "customer_id", "is required: the customer whose merges to list")
        }
        let limit = try request.limit(default: 20, max: 100)
        let records = try await merges.merges(survivor: customerID, limit: limit)
        return .json(["data": .array(records.map(\.json))])
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        guard let record = try await merges.merge(id) else { throw StoreError.notFound("merge", id) }
        return .json(record.json)
    }

    @Sendable func undo(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let outcome = try await services.writer.write { tx in try await merges.undoMerge(id, actor: principal.actor, in: tx) }
        return .json(outcome.json, headers: [.eTag: outcome.survivor.etag])
    }

    @Sendable func survivorship(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .json(try await merges.survivorshipPolicy().json)
    }

    @Sendable func replaceSurvivorship(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let policy = try SurvivorshipPolicy.read(body)
        try await services.writer.write { tx in try await merges.setSurvivorshipPolicy(policy, actor: principal.actor, in: tx) }
        return .json(policy.json)
    }
}

extension MergeOutcome {
    /// How many customers one request may absorb.
    static let maxAbsorbed = 50

    /// The merge record with the survivor, and the restored customers once undone.
    var json: JSONValue {
        guard case .object(var object) = record.json else { return record.json }
        object["customer"] = survivor.json
        if record.undoneAt != nil { object["restored"] = .array(restored.map(\.json)) }
        return .object(object)
    }
}
