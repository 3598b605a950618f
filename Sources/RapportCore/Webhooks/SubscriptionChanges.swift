import Foundation

/// A validated merge patch of a subscription: a new sink, filters or description, or a new status
/// (`active` turns a disabled subscription back on; `disabled` pauses it).
public struct SubscriptionChanges: Sendable, Equatable {
    public var sink: String?
    public var filters: JSONValue?
    public var description: PatchValue<String>
    public var status: Subscription.Status?

    public init(sink: String? = nil, filters: JSONValue? = nil, description: PatchValue<String> = .unchanged,
                status: Subscription.Status? = nil) {
        self.sink = sink
        self.filters = filters
        self.description = description
        self.status = status
    }

    public var isEmpty: Bool { sink == nil && filters == nil && description == .unchanged && status == nil }

    /// Reads `{"sink"?, "filters"?, "description"? (null clears), "status"?}`, naming each problem's path.
    public static func read(_ body: JSONValue) throws(ValidationFailure) -> SubscriptionChanges {
        var reader = try InputReader(body)
        let sink = reader.string("sink", maxLength: 2_000)
        let description = reader.patchString("description", maxLength: 500)
        let status: Subscription.Status? = reader.enumeration("status")
        let filters = reader.value("filters")
        if let sink { NewSubscription.checkSink(sink, reader: &reader) }
        if let filters {
            do throws(ValidationFailure) {
                _ = try SubscriptionFilter.parse(filters, path: "filters")
            } catch {
                reader.absorb(error)
            }
        }
        try reader.finish()
        let changes = SubscriptionChanges(sink: sink, filters: filters, description: description, status: status)
        if changes.isEmpty { throw ValidationFailure(field: "body", message: "names no change (sink, filters, description or status)") }
        return changes
    }
}

/// How a subscription's signing secret is replaced: deliveries carry a signature with the new
/// secret and, until `previousExpiresIn` has passed, one with each older secret too (Standard
/// Webhooks lists several signatures), so receivers can switch without losing a message.
public struct SecretRotation: Sendable, Equatable {
    public static let defaultGrace = Duration.seconds(24 * 3_600)
    public static let longestGrace = Duration.seconds(7 * 24 * 3_600)

    public var previousExpiresIn: Duration

    public init(previousExpiresIn: Duration = SecretRotation.defaultGrace) {
        self.previousExpiresIn = previousExpiresIn
    }

    /// Reads an empty body or `{"previous_secret_expires_in": seconds}` (0 ends the old secret at once).
    public static func read(_ body: JSONValue?) throws(ValidationFailure) -> SecretRotation {
        guard let body, !body.isNull else { return SecretRotation() }
        var reader = try InputReader(body)
        var rotation = SecretRotation()
        let longest = longestGrace.components.seconds
        if let seconds = reader.integer("previous_secret_expires_in", in: 0...longest,
                                        message: "must be a whole number of seconds from 0 to \(longest)") {
            rotation.previousExpiresIn = .seconds(seconds)
        }
        try reader.finish()
        return rotation
    }
}

/// One signing secret of a subscription and, for a replaced one, when it stops signing.
public struct SigningSecret: Sendable, Equatable {
    public var secret: String
    public var expiresAt: Timestamp?

    public init(secret: String, expiresAt: Timestamp? = nil) {
        self.secret = secret
        self.expiresAt = expiresAt
    }

    public func isValid(at time: Timestamp) -> Bool {
        expiresAt.map { time < $0 } ?? true
    }

    public var json: JSONValue {
        var object: JSONObject = ["secret": .string(secret)]
        if let expiresAt { object["expires_at"] = .integer(expiresAt.microseconds) }
        return .object(object)
    }

    /// Reads the stored list: objects as written by `json`, or plain strings (which never expire).
    public static func list(from value: JSONValue) -> [SigningSecret] {
        (value.arrayValue ?? []).compactMap { element in
            if let text = element.stringValue { return SigningSecret(secret: text) }
            guard case .object(let object) = element, let secret = object["secret"]?.stringValue else { return nil }
            if case .integer(let micros)? = object["expires_at"] { return SigningSecret(secret: secret, expiresAt: Timestamp(microseconds: micros)) }
            return SigningSecret(secret: secret)
        }
    }
}
