import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/records/{type}`: the records of a type defined at run time, with the conventions customers
/// have — ETag and If-Match, Idempotency-Key, cursor pages, a CEL `filter` the database runs and
/// `sort` by any field.
struct RecordsController<Types: RecordTypeStore, Records: RecordStore> {
    let types: Types
    let records: Records
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "records/:type", query: ["filter", "sort", "customer_id", "limit", "cursor"], list)
        routes.on(.post, "records/:type", create)
        routes.on(.get, "records/:type/:id", show)
        routes.on(.patch, "records/:type/:id", change)
        routes.on(.delete, "records/:type/:id", delete)
        routes.on(.get, "records/:type/:id/stages", stages)
        routes.on(.get, "records/:type/export", query: ["format", "filter", "sort", "customer_id"], export)
    }

    private var fieldContext: FieldValueContext { FieldValueContext(normalizer: services.normalizer) }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        let type = try await RecordTypesController.type(try context.parameters.require("type"), in: types)
        let query = try Self.query(request, type: type)
        let page = try await records.records(query, limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    /// Every record the filter selects, in the sort's order, as CSV or JSON Lines, streamed page by
    /// page (the same store reads as the list, so the same records a caller may read).
    @Sendable func export(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        let type = try await RecordTypesController.type(try context.parameters.require("type"), in: types)
        let format: RecordExport.Format
        switch try request.query("format") ?? "csv" {
        case "csv": format = .csv
        case "jsonl": format = .jsonl
        default: throw Problem.badRequest(field: "format", "must be csv or jsonl")
        }
        let query = try Self.query(request, type: type)
        let records = self.records
        return ExportResponse.stream(format: format, filename: type.key, header: format == .csv ? RecordExport.header(of: type) : nil,
                                     page: { try await records.records(query, limit: 500, cursor: $0) },
                                     line: { format == .csv ? RecordExport.row($0, of: type) : RecordExport.jsonLine($0) })
    }

    /// The filter, customer and sort of a list or an export.
    static func query(_ request: Request, type: RecordType) throws -> RecordQuery {
        var query = RecordQuery(type: type, customerID: try request.query("customer_id"))
        if let source = try request.query("filter") {
            do { query.condition = try ListFilter.translate(source, schema: type.filterSchema) } catch {
                throw Problem.badRequest(field: "filter", error.description)
            }
        }
        if let text = try request.query("sort") {
            guard let sort = type.sort(text) else {
                throw Problem.badRequest(field: "sort", "must be created_at, updated_at or a field of \(type.key) that is not a list, with - first for descending")
            }
            query.sort = sort
        }
        return query
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeRecords)
        let key = try context.parameters.require("type")
        _ = try await RecordTypesController.type(key, in: types)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let (types, records, fieldContext) = (self.types, self.records, self.fieldContext)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            guard let type = try await types.recordType(key, in: tx) else { throw StoreError.notFound("record type", key) }
            let draft = try RecordDraft.read(body, type: type, context: fieldContext)
            let record = try await records.createRecord(of: type, draft, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: record.json.serialized(), etag: record.etag, location: "/v1/records/\(key)/\(record.id)")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        let type = try await RecordTypesController.type(try context.parameters.require("type"), in: types)
        let id = try context.parameters.require("id")
        guard let record = try await records.record(id, of: type) else { throw StoreError.notFound(type.label.lowercased(), id) }
        return .json(record.json, headers: [.eTag: record.etag])
    }

    /// Every stage the record stood in, oldest first, with the seconds it spent in each.
    @Sendable func stages(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        let type = try await RecordTypesController.type(try context.parameters.require("type"), in: types)
        let id = try context.parameters.require("id")
        guard try await records.record(id, of: type) != nil else { throw StoreError.notFound(type.label.lowercased(), id) }
        let now = records.now()
        return .json(["data": .array(try await records.stageHistory(of: id).map { $0.json(at: now) }), "next_cursor": .null])
    }

    @Sendable func change(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeRecords)
        let key = try context.parameters.require("type")
        let id = try context.parameters.require("id")
        let type = try await RecordTypesController.type(key, in: types)
        guard try await records.record(id, of: type) != nil else { throw StoreError.notFound(type.label.lowercased(), id) }
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let changes = try RecordChanges.read(body)
        let (types, records, fieldContext) = (self.types, self.records, self.fieldContext)
        let record = try await services.writer.write { tx in
            guard let type = try await types.recordType(key, in: tx) else { throw StoreError.notFound("record type", key) }
            return try await records.changeRecord(id, of: type, changes, expectedVersion: expected, context: fieldContext,
                                                  actor: principal.actor, in: tx)
        }
        return .json(record.json, headers: [.eTag: record.etag])
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeRecords)
        let key = try context.parameters.require("type")
        let id = try context.parameters.require("id")
        let type = try await RecordTypesController.type(key, in: types)
        let expected = try request.expectedVersion(of: id)
        let records = self.records
        try await services.writer.write { tx in try await records.deleteRecord(id, of: type, expectedVersion: expected, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }
}
