import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/aggregates`: counts, sums and averages for the console's charts (pipeline by stage,
/// forecast against actual, campaign results, cases by SLA state) over customers, interactions,
/// conversations or a type's records — grouped, bucketed by time, filtered in CEL, computed in the
/// database.
struct AggregatesController<Reports: ReportsStore, Types: RecordTypeStore> {
    let reports: Reports
    let types: Types

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "aggregates", query: ["source", "measures", "group_by", "bucket", "time", "filter"], aggregate)
    }

    @Sendable func aggregate(_ request: Request, context: RapportRequestContext) async throws -> Response {
        guard let name = try request.query("source") else { throw Problem.badRequest(field: "source", "is required") }
        let source: AggregateSource
        switch name {
        case "customers": source = .customers
        case "interactions": source = .interactions
        case "conversations": source = .conversations
        default:
            guard name.hasPrefix("records.") else {
                throw Problem.badRequest(field: "source", "must be customers, interactions, conversations or records.<type key>")
            }
            try context.require(.readRecords)
            source = .records(try await RecordTypesController.type(String(name.dropFirst("records.".count)), in: types))
        }
        try context.require(source.permission)
        let (measures, groups, bucket) = (try request.query("measures"), try request.query("group_by"), try request.query("bucket"))
        let (time, filter) = (try request.query("time"), try request.query("filter"))
        let query: AggregateQuery
        do throws(ValidationFailure) {
            query = try AggregateQuery.read(source: source, measures: measures, groupBy: groups, bucket: bucket, time: time, filter: filter)
        } catch {
            throw Problem(status: .badRequest, type: "bad-request", title: "Bad request",
                          detail: error.issues.map(\.description).joined(separator: "; "), issues: error.issues)
        }
        let rows = try await reports.aggregate(query)
        return .json(["source": .string(source.name), "data": .array(rows.map(\.json))])
    }
}
