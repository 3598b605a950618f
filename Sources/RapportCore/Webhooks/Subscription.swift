import Foundation

/// A receiver of events over HTTP (a webhook), shaped like a CloudEvents subscription: where to
/// send, which events (filters), and the secrets its deliveries are signed with.
public struct Subscription: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case active
        /// Stopped: the receiver answered 410 Gone, or someone disabled it. Deliveries already
        /// queued wait (a 410 cancels them); events committed meanwhile are not queued for it.
        case disabled
    }

    public var id: String
    public var sink: String
    /// The filters as given (all must match); compiled with `SubscriptionFilter.parse`.
    public var filters: JSONValue
    public var description: String?
    /// The role of the key that created it: deliveries carry only events that role may read.
    public var role: Role
    public var status: Status
    public var disabledReason: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, sink: String, filters: JSONValue, description: String?, role: Role, status: Status = .active,
                disabledReason: String? = nil, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.sink = sink
        self.filters = filters
        self.description = description
        self.role = role
        self.status = status
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["sink"] = .string(sink)
        object["filters"] = filters
        object["description"] = description.map(JSONValue.string) ?? .null
        object["protocol"] = "HTTP"
        object["status"] = .string(status.rawValue)
        object["disabled_reason"] = disabledReason.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}

/// A validated request to subscribe.
public struct NewSubscription: Sendable {
    public var sink: String
    public var filters: JSONValue
    public var description: String?

    public init(sink: String, filters: JSONValue, description: String?) {
        self.sink = sink
        self.filters = filters
        self.description = description
    }

    /// Reads `{"sink": "https://…", "filters": [...], "description": …}`; the filters are
    /// compiled to check them, naming the path of each problem.
    public static func read(_ body: JSONValue) throws(ValidationFailure) -> NewSubscription {
        var reader = try InputReader(body)
        let sink = reader.string("sink", required: true, maxLength: 2_000)
        let description = reader.string("description", maxLength: 500)
        let filters = reader.value("filters") ?? .array([])
        if let sink { checkSink(sink, reader: &reader) }
        do throws(ValidationFailure) {
            _ = try SubscriptionFilter.parse(filters, path: "filters")
        } catch {
            reader.absorb(error)
        }
        try reader.finish()
        return NewSubscription(sink: sink ?? "", filters: filters, description: description)
    }

    /// A sink must be an http or https URL with a host (addresses are checked after resolution).
    static func checkSink(_ sink: String, reader: inout InputReader) {
        let components = URLComponents(string: sink)
        if components?.scheme != "https" && components?.scheme != "http" || (components?.host ?? "").isEmpty {
            reader.fail("sink", "must be an http or https URL with a host")
        }
    }
}
