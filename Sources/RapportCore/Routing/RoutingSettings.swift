/// How routing behaves where rules are silent (`GET/PUT /v1/settings/routing`).
public struct RoutingSettings: Sendable, Equatable {
    /// Interactions without a thread key join the customer's conversation on the channel when it
    /// was active within this many minutes.
    public var threadWindowMinutes: Int = 1_440
    /// Whether messages are classified at all (when a trained model exists).
    public var classifierEnabled = true
    /// Predictions below this confidence send a message that no rule routed to triage.
    public var minConfidence = 0.5
    /// When the predicted label is a department key (or `department/queue`) and no rule routed
    /// the message, route it there.
    public var routeByLabel = true
    /// Where unsure or unrouted messages go: a department key or id, and optionally a queue key.
    public var triageDepartment: String?
    public var triageQueue: String?
    public var businessHours: BusinessHours?

    public init() {}

    public var threading: ConversationThreading {
        ConversationThreading(window: .seconds(Int64(threadWindowMinutes) * 60))
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> RoutingSettings {
        var reader = try InputReader(value)
        var settings = RoutingSettings()
        if let number = reader.integer("thread_window_minutes", in: 1...525_600) { settings.threadWindowMinutes = Int(number) }
        if case .set(let classifier) = reader.object("classifier", maxKeys: 10) {
            do throws(ValidationFailure) {
                var nested = try InputReader(.object(classifier), path: reader.field("classifier"))
                settings.classifierEnabled = nested.bool("enabled") ?? true
                settings.routeByLabel = nested.bool("route_by_label") ?? true
                if let raw = nested.value("min_confidence") {
                    if let number = raw.doubleValue, number >= 0, number <= 1 { settings.minConfidence = number }
                    else { nested.fail("min_confidence", "expected a number from 0 to 1") }
                }
                try nested.finish()
            } catch {
                reader.absorb(error)
            }
        }
        if case .set(let triage) = reader.object("triage", maxKeys: 10) {
            do throws(ValidationFailure) {
                var nested = try InputReader(.object(triage), path: reader.field("triage"))
                settings.triageDepartment = nested.string("department", required: true, maxLength: 64)
                settings.triageQueue = nested.string("queue", maxLength: 64)
                try nested.finish()
            } catch {
                reader.absorb(error)
            }
        }
        if let raw = reader.value("business_hours"), !raw.isNull {
            do throws(ValidationFailure) {
                settings.businessHours = try BusinessHours.read(raw, path: reader.field("business_hours"))
            } catch {
                reader.absorb(error)
            }
        }
        try reader.finish()
        return settings
    }

    public var json: JSONValue {
        var triage: JSONValue = .null
        if let triageDepartment {
            var object: JSONObject = ["department": .string(triageDepartment)]
            if let triageQueue { object["queue"] = .string(triageQueue) }
            triage = .object(object)
        }
        return [
            "thread_window_minutes": .integer(Int64(threadWindowMinutes)),
            "classifier": ["enabled": .bool(classifierEnabled), "min_confidence": .double(minConfidence), "route_by_label": .bool(routeByLabel)],
            "triage": triage,
            "business_hours": businessHours?.json ?? .null,
        ]
    }
}
