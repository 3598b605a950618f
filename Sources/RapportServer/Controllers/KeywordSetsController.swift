import Hummingbird
import RapportCore
import RapportStore

/// `/v1/keyword-sets`: named lists of terms that rules match in one pass over a message.
struct KeywordSetsController<Routing: RoutingStore> {
    let routing: Routing
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "keyword-sets", list)
        routes.on(.post, "keyword-sets/match", match)
        routes.on(.get, "keyword-sets/:name", show)
        routes.on(.put, "keyword-sets/:name", save)
        routes.on(.delete, "keyword-sets/:name", delete)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        return .page(Page(items: try await routing.keywordSets(), nextCursor: nil), \.summaryJSON)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let name = try context.parameters.require("name")
        guard let set = try await routing.keywordSet(name) else { throw StoreError.notFound("keyword set", name) }
        return .json(set.json)
    }

    /// Creates the set or replaces its terms (next version); 201 when created.
    @Sendable func save(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let name = try context.parameters.require("name")
        guard KeywordSetDefinition.isValidName(name) else {
            throw Problem.invalid(field: "name", "use 1 to 64 of a-z, 0-9, '_', '.' and '-'")
        }
        // A list of 200,000 terms is several megabytes.
        let body = try await request.jsonBody(limit: max(services.configuration.maxBodyBytes, 16 << 20)).value
        let definition = try KeywordSetDefinition.read(body, name: name)
        let (set, created) = try await services.writer.write { tx in
            try await routing.saveKeywordSet(name: name, wholeWords: definition.wholeWords, terms: definition.terms, actor: principal.actor, in: tx)
        }
        guard created else { return .json(set.summaryJSON) }
        return .json(set.summaryJSON, status: .created, headers: [.location: "/v1/keyword-sets/\(name)"])
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let name = try context.parameters.require("name")
        try await services.writer.write { tx in try await routing.deleteKeywordSet(name: name, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }

    /// Matches `text` against every stored set (or the ones named in `sets`) and returns each hit
    /// with its set, term and Unicode scalar offsets.
    @Sendable func match(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        var reader = try InputReader(try await request.jsonBody(limit: services.configuration.maxBodyBytes).value)
        let text = reader.string("text", required: true, maxLength: NewInteraction.maxBodyLength)
        // `sets` is a list of names when given; null is not "no sets" (it would match nothing).
        if reader.value("sets")?.isNull == true { reader.fail("sets", "expected an array of strings, got null") }
        let only = reader.stringList("sets", maxCount: 100, maxLength: 64)
        try reader.finish()
        var stored = try await routing.keywordSets()
        if let only {
            for (index, name) in only.enumerated() where !stored.contains(where: { $0.name == name }) {
                throw Problem.invalid(field: "sets[\(index)]", "there is no keyword set named \"\(name)\"")
            }
            stored = stored.filter { only.contains($0.name) }
        }
        let matcher = try KeywordMatcher(sets: stored.map { KeywordSetDefinition(name: $0.name, terms: $0.terms, wholeWords: $0.wholeWords) })
        let matches = matcher.matches(in: text ?? "")
        return .json(["data": .array(matches.map {
            ["set": .string($0.set), "term": .string($0.term), "start": .integer(Int64($0.start)), "end": .integer(Int64($0.end))]
        })])
    }
}
