import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/record-types`: the kinds of business records defined at run time (deals, orders, cases…)
/// and their fields; changed online, every stored value converted or the change refused naming
/// the records that block it.
struct RecordTypesController<Types: RecordTypeStore> {
    let types: Types
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "record-types", list)
        routes.on(.post, "record-types", create)
        routes.on(.get, "record-types/:key", show)
        routes.on(.put, "record-types/:key", replace)
    }

    private var context: FieldValueContext { FieldValueContext(normalizer: services.normalizer) }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        return .json(["data": .array(try await types.recordTypes().map(\.json)), "next_cursor": .null])
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineRecords)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try RecordTypeDraft.read(body, context: self.context)
        let types = self.types
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let type = try await types.createRecordType(draft, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: type.json.serialized(), etag: type.etag, location: "/v1/record-types/\(type.key)")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        let type = try await Self.type(try context.parameters.require("key"), in: types)
        return .json(type.json, headers: [.eTag: type.etag])
    }

    @Sendable func replace(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineRecords)
        let key = try context.parameters.require("key")
        _ = try await Self.type(key, in: types)
        let expected = try request.expectedVersion(of: "rt_\(key)")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var object = body.objectValue ?? [:]
        if object["key"] == nil { object["key"] = .string(key) }
        let draft = try RecordTypeDraft.read(body.objectValue == nil ? body : .object(object), context: self.context)
        guard draft.key == key else { throw Problem.invalid(field: "key", "must be \(key), the key in the path: a type's key never changes") }
        let (types, fieldContext) = (self.types, self.context)
        let type = try await services.writer.write { tx in
            try await types.replaceRecordType(draft, expectedVersion: expected, context: fieldContext, actor: principal.actor, in: tx)
        }
        return .json(type.json, headers: [.eTag: type.etag])
    }

    /// The stored type, or 404 naming the key.
    static func type(_ key: String, in types: Types) async throws -> RecordType {
        guard let type = try await types.recordType(key) else { throw StoreError.notFound("record type", key) }
        return type
    }
}
