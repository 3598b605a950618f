import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/templates`: the record types and pipelines of a department or scenario (sales, finance,
/// marketing, service, e-commerce, banking, travel), installed with one call.
struct TemplatesController<Types: RecordTypeStore> {
    let types: Types
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "templates", list)
        routes.on(.post, "templates/:name/install", install)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readRecords)
        return .json(["data": .array(RecordTemplates.all.map(\.json)), "next_cursor": .null])
    }

    /// Creates the types that do not exist yet, with those of the templates it requires; existing
    /// types are kept as they are (installing twice changes nothing).
    @Sendable func install(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.defineRecords)
        let name = try context.parameters.require("name")
        guard let template = RecordTemplates.named(name) else { throw StoreError.notFound("template", name) }
        let fieldContext = FieldValueContext(normalizer: services.normalizer)
        let drafts = try RecordTemplates.withRequirements(template).flatMap { try $0.drafts(context: fieldContext) }
        let types = self.types
        let outcome = try await services.writer.write { tx in try await types.install(drafts, actor: principal.actor, in: tx) }
        return .json(["template": .string(name), "installed": .array(outcome.installed.map(JSONValue.string)),
                      "kept": .array(outcome.kept.map(JSONValue.string))])
    }
}
