import Hummingbird
import RapportCore
import RapportStore

/// `/v1/customers`: the shared customer record, its identities and its timeline.
struct CustomersController<Customers: CustomerStore, Interactions: InteractionStore, Merges: MergeStore> {
    let customers: Customers
    let interactions: Interactions
    let merges: Merges
    /// The record types a `filter` may ask about (`records.deal.exists(d, …)`).
    let recordTypes: any RecordTypeStore
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "customers", create)
        routes.on(.get, "customers", query: ["identity", "email", "phone", "name_prefix", "updated_since", "lifecycle_stage",
                                             "owner_id", "filter", "limit", "cursor"], queryPrefixes: ["attribute."], list)
        routes.on(.get, "customers/export", query: ["format", "filter", "identity", "email", "phone", "name_prefix", "updated_since",
                                                    "lifecycle_stage", "owner_id"], queryPrefixes: ["attribute."], export)
        routes.on(.get, "customers/lookup", query: ["identity", "email", "phone"], lookup)
        routes.on(.get, "customers/search", query: ["q", "limit"], search)
        routes.on(.get, "customers/:id", query: ["include"], show)
        routes.on(.patch, "customers/:id", patch)
        routes.on(.delete, "customers/:id", delete)
        routes.on(.get, "customers/:id/timeline", query: ["order", "limit", "cursor"], timeline)
        routes.on(.get, "customers/:id/identities", identities)
        routes.on(.post, "customers/:id/identities", addIdentity)
        routes.on(.delete, "customers/:id/identities/:identity", removeIdentity)
    }

    static func response(_ customer: Customer, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.eTag: customer.etag]
        if status == .created { headers[.location] = "/v1/customers/\(customer.id)" }
        return .json(customer.json, status: status, headers: headers)
    }

    /// A search box as you type: a name, a company, any identity, a phone number as people write it.
    @Sendable func search(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        guard let text = try request.query("q") else { throw Problem.badRequest(field: "q", "is required: the text to search for") }
        guard text.unicodeScalars.count <= 200 else { throw Problem.badRequest(field: "q", "must be at most 200 characters") }
        let limit = try request.limit(default: 10, max: 50)
        let found = try await customers.searchCustomers(CustomerSearchQuery(text, normalizer: services.normalizer), limit: limit)
        return .json(["data": .array(found.map(\.json)), "next_cursor": .null])
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let new = try NewCustomer.read(body, normalizer: services.normalizer)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let customer = try await customers.createCustomer(new, actor: principal.actor, channelID: nil, in: tx)
            return StoredResponse(status: 201, body: customer.json.serialized(), etag: customer.etag,
                                  location: "/v1/customers/\(customer.id)")
        }
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let filter = try await self.filter(request)
        let page = try await customers.customers(matching: filter, limit: try request.limit(), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    /// Every customer the filter selects, as CSV or JSON Lines, streamed page by page through the
    /// same store read as the list (so the same customers the caller may read); CSV columns are
    /// those an import reads back.
    @Sendable func export(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        guard let format = ExportFormat(rawValue: try request.query("format") ?? "csv") else {
            throw Problem.badRequest(field: "format", "must be csv or jsonl")
        }
        let filter = try await self.filter(request)
        let customers = self.customers
        let keys = format == .csv ? try await customers.attributeKeys(matching: filter, limit: CustomerLimits.attributes * 5) : []
        return ExportResponse.stream(format: format, filename: "customers", header: format == .csv ? CustomerExport.header(attributeKeys: keys) : nil,
                                     page: { try await customers.customers(matching: filter, limit: 500, cursor: $0) },
                                     line: { format == .csv ? CustomerExport.row($0, attributeKeys: keys) : CustomerExport.jsonLine($0) })
    }

    /// The conditions of a list or an export.
    private func filter(_ request: Request) async throws -> CustomerFilter {
        var filter = CustomerFilter()
        if let source = try request.query("filter") {
            let schema = CustomerFilter.schema(recordTypes: try await recordTypes.recordTypes())
            do { filter.condition = try ListFilter.translate(source, schema: schema) } catch {
                throw Problem.badRequest(field: "filter", error.description)
            }
        }
        if let text = try request.query("identity") { filter.identity = try parseIdentity(text, field: "identity") }
        if let text = try request.query("email") { filter.identity = try normalize(.email, text, field: "email") }
        if let text = try request.query("phone") { filter.identity = try normalize(.phone, text, field: "phone") }
        filter.namePrefix = try request.query("name_prefix")
        if let text = try request.query("updated_since") {
            guard let time = Timestamp(rfc3339: text) else {
                throw Problem.badRequest(field: "updated_since", "must be an RFC 3339 timestamp")
            }
            filter.updatedSince = time
        }
        if let text = try request.query("lifecycle_stage") {
            guard let stage = LifecycleStage(rawValue: text) else {
                throw Problem.badRequest(field: "lifecycle_stage", "is not a lifecycle stage")
            }
            filter.lifecycleStage = stage
        }
        filter.ownerID = try request.query("owner_id")
        for (name, value) in request.queryItems where name.hasPrefix("attribute.") {
            let key = String(name.dropFirst("attribute.".count))
            guard CustomerFilter.isValidAttributeKey(key) else {
                throw Problem.badRequest(field: name, "is not a valid attribute name")
            }
            filter.attributes.append((key, CustomerFilter.candidates(for: value)))
        }
        return filter
    }

    @Sendable func lookup(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let identity: Identity
        if let text = try request.query("identity") {
            identity = try parseIdentity(text, field: "identity")
        } else if let text = try request.query("email") {
            identity = try normalize(.email, text, field: "email")
        } else if let text = try request.query("phone") {
            identity = try normalize(.phone, text, field: "phone")
        } else {
            throw Problem.badRequest(field: "identity", "give identity=kind:value, email= or phone=")
        }
        guard let customer = try await customers.customer(holding: identity) else {
            throw Problem(status: .notFound, type: "not-found", title: "Not found",
                          detail: "no customer holds identity \(identity.qualified)")
        }
        return Self.response(customer)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        let include = try request.query("include")
        guard include == nil || include == "provenance" else {
            throw Problem.badRequest(field: "include", "the only inclusion is provenance")
        }
        // Field versions are read only when asked for; a plain read leaves them unparsed.
        var record: VersionedCustomer?
        let found: Customer?
        if include == "provenance" {
            record = try await merges.versionedCustomer(id)
            found = record?.customer
        } else {
            found = try await customers.customer(id)
        }
        guard let customer = found else { throw StoreError.notFound("customer", id) }
        if let survivor = customer.mergedInto {
            // The absorbed id keeps resolving: clients follow the redirect to the survivor.
            let location = "/v1/customers/\(survivor)" + (include.map { "?include=\($0)" } ?? "")
            return .json(["id": .string(id), "merged_into": .string(survivor), "location": .string(location)],
                         status: .temporaryRedirect, headers: [.location: location])
        }
        if let record {
            guard case .object(var object) = customer.json else { return Self.response(customer) }
            object["provenance"] = record.provenanceJSON
            return .json(.object(object), headers: [.eTag: customer.etag])
        }
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == customer.etag
        }) {
            return Response(status: .notModified, headers: [.eTag: customer.etag])
        }
        return Self.response(customer)
    }

    @Sendable func patch(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let patch = try CustomerPatch.read(body, normalizer: services.normalizer)
        let customer = try await services.writer.write { tx in
            try await customers.patchCustomer(id: id, patch: patch, expectedVersion: expected, actor: principal.actor, in: tx)
        }
        return Self.response(customer)
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        try await services.writer.write { tx in
            try await customers.deleteCustomer(id: id, expectedVersion: expected, actor: principal.actor, in: tx)
        }
        return Response(status: .noContent)
    }

    @Sendable func timeline(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let asked = try context.parameters.require("id")
        guard let customer = try await customers.customer(asked) else { throw StoreError.notFound("customer", asked) }
        // An absorbed customer's interactions moved to the survivor; its timeline is the survivor's.
        let id = customer.mergedInto ?? asked
        let newestFirst: Bool
        switch try request.query("order") ?? "asc" {
        case "asc": newestFirst = false
        case "desc": newestFirst = true
        default: throw Problem.badRequest(field: "order", "must be asc or desc")
        }
        let page = try await interactions.timeline(of: id, newestFirst: newestFirst, limit: try request.limit(),
                                                     cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func identities(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        let id = try context.parameters.require("id")
        guard let customer = try await customers.customer(id) else { throw StoreError.notFound("customer", id) }
        return .json(["data": .array(customer.identities.map(Self.identityJSON)), "next_cursor": .null])
    }

    @Sendable func addIdentity(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let text = reader.string("identity", required: true, maxLength: 500)
        try reader.finish()
        let identity = try parseIdentity(text!, field: "identity", status: .unprocessableContent)
        let customer = try await services.writer.write { tx in
            try await customers.addIdentity(identity, to: id, actor: principal.actor, in: tx)
        }
        return Self.response(customer, status: .created)
    }

    @Sendable func removeIdentity(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeCustomers)
        let id = try context.parameters.require("id")
        let raw = try context.parameters.require("identity")
        let identity = try parseIdentity(raw.removingPercentEncoding ?? raw, field: "identity")
        let customer = try await services.writer.write { tx in
            try await customers.removeIdentity(identity, from: id, actor: principal.actor, in: tx)
        }
        return Self.response(customer)
    }

    static func identityJSON(_ identity: Identity) -> JSONValue {
        ["kind": .string(identity.kind.rawValue), "value": .string(identity.value), "qualified": .string(identity.qualified)]
    }

    private func parseIdentity(_ text: String, field: String, status: HTTPResponse.Status = .badRequest) throws -> Identity {
        do {
            return try services.normalizer.parse(text)
        } catch {
            throw status == .badRequest ? Problem.badRequest(field: field, error.message) : Problem.invalid(field: field, error.message)
        }
    }

    private func normalize(_ kind: IdentityKind, _ text: String, field: String) throws -> Identity {
        do {
            return try services.normalizer.normalize(kind, text)
        } catch {
            throw Problem.badRequest(field: field, error.message)
        }
    }
}
