import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore
import RapportFlow
import RapportStore

/// `/v1/processes`, `/v1/process-instances`, `/v1/jobs`, `/v1/incidents`: BPMN 2.0 processes —
/// deploying versions, starting and following instances, job workers' work, incidents to retry.
struct ProcessesController<Processes: ProcessStore> {
    let processes: Processes
    let events: any EventStore
    let services: Services

    /// The largest BPMN file accepted.
    static var maxModelBytes: Int { 4 * 1_024 * 1_024 }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "processes", deploy)
        routes.on(.get, "processes", query: ["limit", "cursor"], listDefinitions)
        routes.on(.get, "processes/:key", query: ["version"], showDefinition)
        routes.on(.post, "process-instances", start)
        routes.on(.get, "process-instances", query: ["process", "status", "customer_id", "limit", "cursor"], listInstances)
        routes.on(.get, "process-instances/:id", showInstance)
        routes.on(.get, "process-instances/:id/history", query: ["limit", "cursor"], history)
        routes.on(.post, "process-instances/:id/cancel", cancel)
        routes.on(.post, "process-instances/:id/variables", setVariables)
        routes.on(.post, "process-instances/:id/migrate", migrate)
        routes.on(.post, "jobs/activate", activate)
        routes.on(.post, "jobs/:id/complete", complete)
        routes.on(.post, "jobs/:id/fail", fail)
        routes.on(.post, "jobs/:id/error", throwError)
        routes.on(.post, "messages", correlate)
        routes.on(.post, "signals", broadcast)
        routes.on(.get, "incidents", query: ["status", "limit", "cursor"], listIncidents)
        routes.on(.post, "incidents/:id/retry", retry)
    }

    // MARK: - Definitions

    @Sendable func deploy(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineProcesses)
        let xml = try await Self.modelText(request)
        let document: BPMNDocument
        do {
            document = try BPMNReader.read(xml)
        } catch {
            throw Problem(status: .unprocessableContent, type: "validation-failed", title: "Invalid request",
                          detail: error.problems.count == 1 ? error.problems[0].description : "\(error.problems.count) problems in the file",
                          issues: error.problems.map { FieldIssue(field: "xml", message: $0.description) },
                          extra: ["problems": .array(error.problems.map { problem in
                              ["element_id": problem.elementID.map(JSONValue.string) ?? .null, "line": .integer(Int64(problem.line)),
                               "message": .string(problem.message)]
                          })])
        }
        let processes = self.processes
        let deployed = try await services.writer.write { tx in
            try await processes.deploy(document, xml: xml, by: principal.actor, in: tx)
        }
        let created = deployed.contains { $0.created }
        return .json(["processes": .array(deployed.map { item in
            guard case .object(var object) = item.process.json(model: false) else { return .null }
            object["created"] = .bool(item.created)
            return .object(object)
        })], status: created ? .created : .ok)
    }

    /// The BPMN file: the raw body (`application/xml`, `text/xml`, `application/bpmn+xml`) or a
    /// JSON body `{"xml": "…"}`.
    static func modelText(_ request: Request) async throws -> String {
        let media = request.headers[.contentType]?.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        if let media, media.hasSuffix("/xml") || media.hasSuffix("+xml") {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: maxModelBytes)
            } catch is NIOTooManyBytesError {
                throw Problem(status: .contentTooLarge, type: "body-too-large", title: "Request body too large",
                              detail: "the file exceeds \(maxModelBytes) bytes",
                              issues: [FieldIssue(field: "body", message: "must be at most \(maxModelBytes) bytes")])
            }
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw Problem.badRequest(field: "body", "the file must be UTF-8")
            }
            // Trimmed as the JSON form's `xml` is, so both forms of one file are one version.
            let trimmed = text.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw Problem.invalid(field: "body", "the file is empty") }
            return trimmed
        }
        let (body, _) = try await request.jsonBody(limit: maxModelBytes + 4_096)
        var reader = try InputReader(body)
        let xml = reader.string("xml", required: true, maxLength: maxModelBytes)
        try reader.finish()
        guard let xml, !xml.isEmpty else { throw Problem.invalid(field: "xml", "must not be empty") }
        return xml
    }

    @Sendable func listDefinitions(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        let page = try await processes.definitions(limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page) { $0.json(model: false) }
    }

    @Sendable func showDefinition(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        let key = try context.parameters.require("key")
        var version: Int64?
        if let text = try request.query("version") {
            guard let number = Int64(text), (1...Int64(Int32.max)).contains(number) else {
                throw Problem.badRequest(field: "version", "must be a version number from 1 to 2147483647")
            }
            version = number
        }
        guard let deployed = try await processes.definition(key: key, version: version) else {
            throw StoreError.notFound(version.map { "version \($0) of process" } ?? "process", key)
        }
        return .json(deployed.json(model: true))
    }

    // MARK: - Instances

    @Sendable func start(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let key = reader.string("process", required: true, maxLength: 255)
        let version = reader.integer("version", in: 1...Int64(Int32.max))
        let variables = Self.variables(&reader)
        let customerID = reader.string("customer_id", maxLength: 64)
        let businessKey = reader.string("business_key", maxLength: 255)
        try reader.finish()
        let start = ProcessStart(key: key ?? "", version: version, variables: variables, customerID: customerID,
                                 businessKey: businessKey)
        let processes = self.processes
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let instance = try await processes.startInstance(start, by: principal.actor, in: tx)
            guard let deployed = try await processes.definition(id: instance.definitionID, in: tx) else {
                throw StoreError(.unavailable, "process definition \(instance.definitionID) is missing")
            }
            return StoredResponse(status: 201, body: instance.json(in: deployed).serialized(), etag: instance.etag,
                                  location: "/v1/process-instances/\(instance.id)")
        }
    }

    @Sendable func listInstances(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        var status: FlowInstanceStatus?
        if let text = try request.query("status") {
            guard let chosen = FlowInstanceStatus(rawValue: text) else {
                throw Problem.badRequest(field: "status", "must be running, completed, terminated or cancelled")
            }
            status = chosen
        }
        let query = ProcessInstanceQuery(key: try request.query("process"), status: status, customerID: try request.query("customer_id"))
        let page = try await processes.instances(query, limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page) { $0.0.json(in: $0.1) }
    }

    @Sendable func showInstance(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        let id = try context.parameters.require("id")
        guard let (instance, deployed) = try await processes.instance(id) else { throw StoreError.notFound("process instance", id) }
        return .json(instance.json(in: deployed, timers: try await processes.timers(of: id)), headers: [.eTag: instance.etag])
    }

    @Sendable func history(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        let id = try context.parameters.require("id")
        guard try await processes.instance(id) != nil else { throw StoreError.notFound("process instance", id) }
        let page = try await processes.history(of: id, limit: try request.limit(default: 100, max: 500), cursor: try request.query("cursor"))
        return .page(page) { $0.json }
    }

    @Sendable func cancel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let id = try context.parameters.require("id")
        return try await instanceResponse { processes, tx in try await processes.cancelInstance(id, by: principal.actor, in: tx) }
    }

    @Sendable func setVariables(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineProcesses)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        if reader.object["variables"] == nil { reader.fail("variables", "is required") }
        let values = Self.variables(&reader)
        try reader.finish()
        return try await instanceResponse { processes, tx in try await processes.setVariables(id, values, by: principal.actor, in: tx) }
    }

    /// `{"version": 3}`: the running instance moves to that version of its process.
    @Sendable func migrate(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineProcesses)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: 4_096)
        var reader = try InputReader(body)
        let version = reader.integer("version", in: 1...2_147_483_647)
        if reader.object["version"] == nil { reader.fail("version", "is required") }
        try reader.finish()
        guard let version else { throw Problem.invalid(field: "version", "is required") }
        return try await instanceResponse { processes, tx in try await processes.migrateInstance(id, toVersion: version, by: principal.actor, in: tx) }
    }

    // MARK: - Jobs

    @Sendable func activate(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.runProcesses)
        let (body, _) = try await request.jsonBody(limit: 16_384)
        var reader = try InputReader(body)
        let type = reader.string("type", required: true, maxLength: 255)
        let worker = reader.string("worker", required: true, maxLength: 255)
        let maxJobs = reader.integer("max_jobs", in: 1...100) ?? 10
        let lockSeconds = reader.integer("lock_seconds", in: 1...86_400) ?? 300
        let waitSeconds = reader.integer("wait_seconds", in: 0...60) ?? 0
        if let type, type.hasPrefix("rapport.") {
            reader.fail("type", "job types starting with rapport. are Rapport's own actions, done by Rapport itself")
        }
        try reader.finish()
        guard let type, let worker else { throw Problem.invalid(field: "type", "is required") }
        let processes = self.processes
        let events = self.events
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(waitSeconds))
        while true {
            let head = events.knownHead
            let jobs = try await services.writer.write { tx in
                try await processes.activateJobs(type: type, worker: worker, limit: Int(maxJobs), lock: .seconds(lockSeconds), in: tx)
            }
            let remaining = clock.now.duration(to: deadline)
            if !jobs.isEmpty || remaining <= .zero {
                return .json(["jobs": .array(jobs.map(\.json))])
            }
            // Every job is made by a commit: wait for the next one (or the end of the wait), then look again.
            await events.waitForCommit(after: head, timeout: remaining)
        }
    }

    @Sendable func complete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes)
        var values: [String: JSONValue] = [:]
        if let body {
            var reader = try InputReader(body)
            values = Self.variables(&reader)
            try reader.finish()
        }
        let variables = values
        return try await instanceResponse { processes, tx in try await processes.completeJob(id, variables: variables, by: principal.actor, in: tx) }
    }

    @Sendable func fail(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: 65_536)
        var reader = try InputReader(body)
        let message = reader.string("message", required: true, maxLength: 4_000)
        let retries = reader.integer("retries", in: 0...100)
        let retryAfter = reader.integer("retry_after_seconds", in: 0...86_400) ?? 0
        try reader.finish()
        let processes = self.processes
        let job = try await services.writer.write { tx in
            try await processes.failJob(id, message: message ?? "", retries: retries, retryAfter: .seconds(retryAfter), by: principal.actor, in: tx)
        }
        return .json(["job": job?.json ?? .null, "incident": .bool(job == nil)])
    }

    /// A business error, not a technical failure: `{"error_code": "NO_STOCK", "message": …, "variables": {…}}`
    /// — the error boundary event for the code around the job's task takes over, without retries.
    @Sendable func throwError(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let code = reader.string("error_code", required: true, maxLength: 255)
        let message = reader.string("message", maxLength: 4_000)
        let values = Self.variables(&reader)
        try reader.finish()
        let variables = values
        return try await instanceResponse { processes, tx in
            try await processes.throwJobError(id, code: code ?? "", message: message, variables: variables, by: principal.actor, in: tx)
        }
    }

    // MARK: - Messages and signals

    @Sendable func correlate(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let name = reader.string("name", required: true, maxLength: 255)
        let key = reader.string("correlation_key", required: true, maxLength: 255)
        let variables = Self.variables(&reader)
        try reader.finish()
        let processes = self.processes
        let (correlated, started) = try await services.writer.write { tx in
            let correlation = try await processes.correlateMessage(name ?? "", correlationKey: key ?? "", variables: variables,
                                                                   by: principal.actor, in: tx)
            return (correlation.correlated.map(\.id), correlation.started.map(\.id))
        }
        return .json(["correlated": .array(correlated.map(JSONValue.string)), "started": .array(started.map(JSONValue.string))])
    }

    /// `{"name": "storm-warning", "variables": {…}}`: every token waiting for the signal goes on and
    /// each process with a signal start event for it starts.
    @Sendable func broadcast(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.runProcesses)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let name = reader.string("name", required: true, maxLength: 255)
        let variables = Self.variables(&reader)
        try reader.finish()
        let processes = self.processes
        let (caught, started) = try await services.writer.write { tx in
            let broadcast = try await processes.broadcast(name ?? "", variables: variables, by: principal.actor, in: tx)
            return (broadcast.caught.map(\.id), broadcast.started.map(\.id))
        }
        return .json(["caught": .array(caught.map(JSONValue.string)), "started": .array(started.map(JSONValue.string))])
    }

    // MARK: - Incidents

    @Sendable func listIncidents(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readProcesses)
        var status: ProcessIncident.Status? = .open
        switch try request.query("status") {
        case nil: break
        case "any": status = nil
        case let text?:
            guard let chosen = ProcessIncident.Status(rawValue: text) else { throw Problem.badRequest(field: "status", "must be open, resolved or any") }
            status = chosen
        }
        let page = try await processes.incidents(status: status, limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page) { $0.json }
    }

    @Sendable func retry(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineProcesses)
        let id = try context.parameters.require("id")
        return try await instanceResponse { processes, tx in try await processes.retryIncident(id, by: principal.actor, in: tx) }
    }

    // MARK: - Parts

    /// Runs a change of one instance and answers with the instance after it.
    private func instanceResponse(_ change: @escaping @Sendable (Processes, WriteTransaction) async throws -> ProcessInstanceRecord) async throws -> Response {
        let processes = self.processes
        let (json, etag) = try await services.writer.write { tx in
            let instance = try await change(processes, tx)
            guard let deployed = try await processes.definition(id: instance.definitionID, in: tx) else {
                throw StoreError(.unavailable, "process definition \(instance.definitionID) is missing")
            }
            return (instance.json(in: deployed), instance.etag)
        }
        return .json(json, headers: [.eTag: etag])
    }

    /// `variables`: an object of at most 500 names (absent: none; null is refused, as any non-object).
    private static func variables(_ reader: inout InputReader) -> [String: JSONValue] {
        switch reader.object("variables", maxKeys: 500) {
        case .set(let object): return object.dictionary
        case .clear:
            reader.fail("variables", "expected an object, got null")
            return [:]
        case .unchanged: return [:]
        }
    }
}
