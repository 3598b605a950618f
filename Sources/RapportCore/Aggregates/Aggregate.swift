/// What an aggregate is computed over: customers, interactions, conversations, or the records of a
/// type — each with the paths a filter, a group or a measure may name.
public enum AggregateSource: Sendable, Equatable {
    case customers
    case interactions
    case conversations
    case records(RecordType)

    /// `customers`, `interactions`, `conversations` or `records.<type key>`.
    public var name: String {
        switch self {
        case .customers: "customers"
        case .interactions: "interactions"
        case .conversations: "conversations"
        case .records(let type): "records.\(type.key)"
        }
    }

    /// The permission that reads what it counts.
    public var permission: Permission {
        switch self {
        case .customers: .readCustomers
        case .interactions: .readInteractions
        case .conversations: .readConversations
        case .records: .readRecords
        }
    }

    /// The time column buckets use when none is named.
    public var defaultTime: String {
        self == .interactions ? "occurred_at" : "created_at"
    }

    public var schema: ListFilterSchema {
        func columns(_ text: [String], numbers: [String] = [], times: [String]) -> ListFilterSchema {
            var schema = ListFilterSchema()
            for name in text { schema.paths[name] = FilterablePath(column: name, kind: .text) }
            for name in numbers { schema.paths[name] = FilterablePath(column: name, kind: .number) }
            for name in times { schema.paths[name] = FilterablePath(column: name, kind: .timeColumn) }
            return schema
        }
        switch self {
        case .customers:
            return columns(["id", "kind", "name", "company", "lifecycle_stage", "owner_id"], times: ["created_at", "updated_at"])
        case .interactions:
            return columns(["id", "customer_id", "channel_id", "direction", "kind"], times: ["occurred_at", "created_at"])
        case .conversations:
            return columns(["id", "customer_id", "channel_id", "status", "department_id", "queue_id", "assignee_id", "priority"],
                           numbers: ["interaction_count"], times: ["created_at", "updated_at", "resolved_at", "last_interaction_at"])
        case .records(let type):
            return type.filterSchema
        }
    }
}

/// A calendar period time is counted in (UTC): weeks start on Monday.
public enum TimeBucket: String, Sendable, CaseIterable {
    case day, week, month, year
}

/// What is computed per group: how many, or the sum, average, least or greatest of a number.
public enum AggregateMeasure: Sendable, Equatable {
    case count
    case sum(String, FilterablePath)
    case average(String, FilterablePath)
    case minimum(String, FilterablePath)
    case maximum(String, FilterablePath)

    /// As the request writes it, and the answer names it: `count`, `sum:fields.amount.amount`.
    public var name: String {
        switch self {
        case .count: "count"
        case .sum(let path, _): "sum:\(path)"
        case .average(let path, _): "avg:\(path)"
        case .minimum(let path, _): "min:\(path)"
        case .maximum(let path, _): "max:\(path)"
        }
    }
}

/// One aggregate: over what, which rows (a CEL filter the database runs), grouped by up to two
/// paths and a time bucket, computing one or more measures.
public struct AggregateQuery: Sendable, Equatable {
    public var source: AggregateSource
    public var condition: ListCondition?
    public var groups: [(name: String, path: FilterablePath)]
    public var bucket: (period: TimeBucket, path: FilterablePath)?
    public var measures: [AggregateMeasure]

    public static let maxGroups = 2
    public static let maxMeasures = 5
    /// Rows in one answer; more groups than this is 422 (narrow the filter or the groups).
    public static let maxRows = 2_000

    public static func == (lhs: AggregateQuery, rhs: AggregateQuery) -> Bool {
        lhs.source == rhs.source && lhs.condition == rhs.condition && lhs.groups.map(\.name) == rhs.groups.map(\.name)
            && lhs.bucket?.period == rhs.bucket?.period && lhs.bucket?.path == rhs.bucket?.path && lhs.measures == rhs.measures
    }

    /// Reads the request's parameters against the source: `measures=count,sum:fields.amount.amount`,
    /// `group_by=stage,fields.owner`, `bucket=month`, `time=created_at`, `filter=<CEL>`.
    public static func read(source: AggregateSource, measures: String?, groupBy: String?, bucket: String?, time: String?,
                            filter: String?) throws(ValidationFailure) -> AggregateQuery {
        let schema = source.schema
        var issues: [FieldIssue] = []
        var query = AggregateQuery(source: source, condition: nil, groups: [], bucket: nil, measures: [])
        let measureNames = (measures ?? "count").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if measureNames.count > maxMeasures { issues.append(FieldIssue(field: "measures", message: "at most \(maxMeasures) measures")) }
        for text in measureNames.prefix(maxMeasures) {
            if text == "count" { query.measures.append(.count); continue }
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["sum", "avg", "min", "max"].contains(parts[0]) else {
                issues.append(FieldIssue(field: "measures", message: "\(text) is not a measure: count, or sum:, avg:, min: or max: and a number's path"))
                continue
            }
            guard let path = schema.paths[parts[1]], path.kind == .number else {
                issues.append(FieldIssue(field: "measures", message: "\(parts[1]) is not a number of \(source.name) (sum, avg, min and max take numbers; money by its .amount)"))
                continue
            }
            switch parts[0] {
            case "sum": query.measures.append(.sum(parts[1], path))
            case "avg": query.measures.append(.average(parts[1], path))
            case "min": query.measures.append(.minimum(parts[1], path))
            default: query.measures.append(.maximum(parts[1], path))
            }
        }
        let groupNames = groupBy.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        if groupNames.count > maxGroups { issues.append(FieldIssue(field: "group_by", message: "at most \(maxGroups) paths (and a time bucket)")) }
        for name in groupNames.prefix(maxGroups) {
            guard let path = schema.paths[name], [.text, .dateText, .number, .boolean, .instantText].contains(path.kind) else {
                issues.append(FieldIssue(field: "group_by", message: "\(name) cannot group \(source.name): name a text, choice, number or yes/no path (time columns go in bucket)"))
                continue
            }
            query.groups.append((name, path))
        }
        if let bucket {
            if let period = TimeBucket(rawValue: bucket) {
                let timeName = time ?? source.defaultTime
                if let path = schema.paths[timeName], path.kind == .timeColumn || path.kind == .dateText {
                    query.bucket = (period, path)
                } else {
                    issues.append(FieldIssue(field: "time", message: "\(timeName) is not a time or date of \(source.name)"))
                }
            } else {
                issues.append(FieldIssue(field: "bucket", message: "must be day, week, month or year"))
            }
        } else if time != nil {
            issues.append(FieldIssue(field: "time", message: "time names what bucket counts by: give bucket too"))
        }
        if let filter {
            do throws(ExpressionError) { query.condition = try ListFilter.translate(filter, schema: schema) } catch {
                issues.append(FieldIssue(field: "filter", message: error.description))
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return query
    }
}

/// One row of an aggregate's answer: the group's values (the bucket's first day as `YYYY-MM-DD`)
/// and each measure's value (null for a sum or average over no values).
public struct AggregateRow: Sendable, Equatable {
    public var group: JSONObject
    public var values: JSONObject

    public init(group: JSONObject, values: JSONObject) {
        self.group = group
        self.values = values
    }

    public var json: JSONValue { ["group": .object(group), "values": .object(values)] }
}
