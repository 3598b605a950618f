/// One problem with one field of a request, named by its JSON path (`emails[1]`, `attributes.tier`).
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A request that failed validation; carries every bad field, not just the first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    public init(field: String, message: String) {
        self.issues = [FieldIssue(field: field, message: message)]
    }
}
