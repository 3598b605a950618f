import Hummingbird
import RapportCore
import RapportStore

/// An RFC 9457 problem detail, the body of every error response.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    /// Last part of the problem type URI, e.g. `validation-failed`.
    public var type: String
    public var title: String
    public var detail: String?
    public var issues: [FieldIssue]
    public var extra: JSONObject
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, type: String, title: String, detail: String? = nil,
                issues: [FieldIssue] = [], extra: JSONObject = JSONObject(), headers: HTTPFields = [:]) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.issues = issues
        self.extra = extra
        self.headers = headers
    }

    public static let typeBase = "https://rapport.dev/problems/"

    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, type: "unauthorized", title: "Unauthorized", detail: detail,
                headers: [.wwwAuthenticate: "Bearer realm=\"rapport\""])
    }

    static func forbidden(_ role: Role, _ permission: Permission) -> Problem {
        Problem(status: .forbidden, type: "forbidden", title: "Forbidden", detail: "role \(role.rawValue) may not \(permission.rawValue)")
    }

    /// 409 for an API key on what belongs to a signed-in person (notifications, follows, "my" tasks).
    static func notAUser(_ detail: String) -> Problem {
        Problem(status: .conflict, type: "not-a-user", title: "Not a user", detail: detail)
    }

    static func invalid(_ failure: ValidationFailure) -> Problem {
        let detail = failure.issues.count == 1 ? failure.issues[0].description : "\(failure.issues.count) fields are invalid"
        return Problem(status: .unprocessableContent, type: "validation-failed", title: "Invalid request",
                       detail: detail, issues: failure.issues)
    }

    static func invalid(field: String, _ message: String) -> Problem {
        invalid(ValidationFailure(field: field, message: message))
    }

    static func badRequest(field: String, _ message: String) -> Problem {
        Problem(status: .badRequest, type: "bad-request", title: "Bad request", detail: "\(field): \(message)",
                issues: [FieldIssue(field: field, message: message)])
    }

    /// The problem a store refusal stands for.
    static func from(_ error: StoreError) -> Problem {
        var extra = error.extra
        if let holder = error.holderID { extra["holder_id"] = .string(holder) }
        let issues = error.field.map { [FieldIssue(field: $0, message: error.message)] } ?? []
        switch error.code {
        case .notFound:
            return Problem(status: .notFound, type: "not-found", title: "Not found", detail: error.message)
        case .conflict:
            return Problem(status: .conflict, type: "conflict", title: "Conflict", detail: error.message, issues: issues, extra: extra)
        case .preconditionFailed:
            return Problem(status: .preconditionFailed, type: "precondition-failed", title: "Precondition failed",
                           detail: error.message + "; fetch the record again and retry with its current ETag")
        case .invalidReference:
            return Problem(status: .unprocessableContent, type: "validation-failed", title: "Invalid request",
                           detail: error.message, issues: issues, extra: extra)
        case .idempotencyMismatch:
            return Problem(status: .unprocessableContent, type: "idempotency-key-reused", title: "Idempotency key reused",
                           detail: error.message, issues: issues)
        case .forbidden:
            return Problem(status: .forbidden, type: "forbidden", title: "Forbidden", detail: error.message)
        case .merged:
            return Problem(status: .conflict, type: "customer-merged", title: "Customer merged", detail: error.message, extra: extra)
        case .unavailable:
            // The message may quote stored data or internals: it goes to the log, not to the client.
            return Problem(status: .serviceUnavailable, type: "unavailable", title: "Service unavailable",
                           detail: "the store could not answer this request; the error was logged with this request id")
        }
    }

    /// The JSON body; `instance` is the request path, `request_id` ties it to the server log.
    func json(instance: String, requestID: String) -> JSONValue {
        var object = JSONObject()
        object["type"] = .string(Problem.typeBase + type)
        object["title"] = .string(title)
        object["status"] = .integer(Int64(status.code))
        if let detail { object["detail"] = .string(detail) }
        object["instance"] = .string(instance)
        object["request_id"] = .string(requestID)
        if !issues.isEmpty {
            object["errors"] = .array(issues.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}
