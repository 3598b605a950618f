import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// `/v1/imports`: CSV and JSON Lines files of customers or of a record type's records, imported in
/// the background with identity resolution, a dry run, a per-row error report and progress that
/// survives a restart. A job is created with its mapping, then its file is uploaded
/// (`PUT /v1/imports/{id}/file`); any node's runner takes it from there.
struct ImportsController<Imports: ImportStore, Types: RecordTypeStore> {
    let imports: Imports
    let types: Types
    let runner: ImportRunner
    let services: Services
    /// Bytes of an upload written per transaction.
    static var partBytes: Int { 1 << 20 }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "imports", query: ["limit", "cursor"], list)
        routes.on(.post, "imports", create)
        routes.on(.get, "imports/:id", show)
        routes.on(.put, "imports/:id/file", upload)
        routes.on(.post, "imports/:id/cancel", cancel)
        routes.on(.get, "imports/:id/issues", query: ["limit", "cursor"], issues)
    }

    static func permission(for target: ImportTarget) -> Permission {
        target == .customers ? .writeCustomers : .writeRecords
    }

    static func response(_ job: ImportJob, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [:]
        if status == .created || status == .accepted { headers[.location] = "/v1/imports/\(job.id)" }
        return .json(job.json, status: status, headers: headers)
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let spec = try ImportSpec.read(body)
        let principal = try context.require(Self.permission(for: spec.target))
        let layout: any ImportLayout
        if let key = spec.target.recordTypeKey {
            guard let type = try await types.recordType(key) else {
                throw ValidationFailure(field: "record_type", message: "there is no record type \(key)")
            }
            layout = RecordImportLayout(type: type)
        } else {
            layout = CustomerImportLayout()
        }
        let unknown = layout.unknownTargets(in: spec.mapping)
        if !unknown.isEmpty {
            throw ValidationFailure(unknown.map {
                FieldIssue(field: "mapping.\($0.column)", message: "\($0.target) is not a field this import can set")
            })
        }
        let imports = self.imports
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let job = try await imports.createJob(spec, source: .upload, fileBytes: 0, fingerprint: nil, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: job.json.serialized(), etag: nil, location: "/v1/imports/\(job.id)")
        }
    }

    /// The job, when the caller may import into its target.
    private func job(_ context: RapportRequestContext) async throws -> ImportJob {
        let id = try context.parameters.require("id")
        guard let job = try await imports.job(id) else { throw StoreError.notFound("import", id) }
        try context.require(Self.permission(for: job.spec.target))
        return job
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        Self.response(try await job(context))
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let role = try context.requirePrincipal().role
        if !role.allows(.writeRecords) { try context.require(.writeCustomers) }
        let page = try await imports.jobs(limit: try request.limit(max: 500), cursor: try request.query("cursor"))
        let visible = page.items.filter { role.allows(Self.permission(for: $0.spec.target)) }
        return .page(Page(items: visible, nextCursor: page.nextCursor), \.json)
    }

    /// The file, streamed into the database a part at a time; once whole, the job is queued. A
    /// repeated upload (after a broken connection) starts the file again.
    @Sendable func upload(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let job = try await job(context)
        guard job.status == .awaitingFile else {
            throw StoreError(.conflict, "import \(job.id) already has its file (it is \(job.status.rawValue))")
        }
        let limit = services.configuration.importFileBytes
        let (imports, writer, id) = (self.imports, services.writer, job.id)
        var part: [UInt8] = []
        var written: Int64 = 0
        func flush() async throws {
            let bytes = part, offset = written
            written = try await writer.write { tx in try await imports.appendFile(to: id, bytes, at: offset, in: tx) }
            part.removeAll(keepingCapacity: true)
        }
        for try await chunk in request.body {
            guard written + Int64(part.count) + Int64(chunk.readableBytes) <= limit else {
                throw Problem(status: .contentTooLarge, type: "body-too-large", title: "Request body too large",
                              detail: "an import's file may have at most \(limit) bytes",
                              issues: [FieldIssue(field: "body", message: "must be at most \(limit) bytes")])
            }
            part.append(contentsOf: chunk.readableBytesView)
            if part.count >= Self.partBytes { try await flush() }
        }
        if !part.isEmpty || written == 0 { try await flush() }
        let queued = try await writer.write { tx in try await imports.fileUploaded(id, in: tx) }
        runner.wake()
        return Self.response(queued, status: .accepted)
    }

    @Sendable func cancel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let job = try await job(context)
        let imports = self.imports
        return Self.response(try await services.writer.write { tx in try await imports.cancel(job.id, in: tx) })
    }

    @Sendable func issues(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let job = try await job(context)
        let page = try await imports.issues(of: job.id, limit: try request.limit(max: 500), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }
}
