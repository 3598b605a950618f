import RapportCore

/// Why a store operation was refused; each case maps to one HTTP status.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound
        /// The change would break a uniqueness rule (an identity held by another customer, a key in use).
        case conflict
        /// `If-Match` named a version that is no longer current.
        case preconditionFailed
        /// The request refers to something that does not exist or cannot be used.
        case invalidReference
        /// An idempotency key was reused with another request.
        case idempotencyMismatch
        /// The customer was absorbed by a merge; `extra` names the survivor (`merged_into`).
        case merged
        case unavailable
        /// The caller may see the record but not make this change to it (another person's note).
        case forbidden
    }

    public var code: Code
    /// Safe to show to API clients.
    public var message: String
    /// The request field the problem is about, when there is one.
    public var field: String?
    /// The id of the record that holds what was asked for (the customer that holds an identity).
    public var holderID: String?
    /// More members for the problem body, e.g. `merged_into` or what blocks an undo.
    public var extra: JSONObject

    public init(_ code: Code, _ message: String, field: String? = nil, holderID: String? = nil, extra: JSONObject = JSONObject()) {
        self.code = code
        self.message = message
        self.field = field
        self.holderID = holderID
        self.extra = extra
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func notFound(_ what: String, _ id: String) -> StoreError {
        StoreError(.notFound, "\(what) \(id) does not exist")
    }

    public static func merged(_ customer: Customer) -> StoreError {
        StoreError(.merged, "customer \(customer.id) was merged into \(customer.mergedInto ?? "another customer")",
                   extra: ["merged_into": customer.mergedInto.map(JSONValue.string) ?? .null])
    }
}
