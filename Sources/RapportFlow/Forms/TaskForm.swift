import RapportCore

/// The form a user task asks a person to fill in (`<rapport:form>`, or a Camunda form embedded in
/// the file): its fields are the variables the task is completed with.
public struct TaskForm: Sendable {
    public let fields: [FormField]

    public init(fields: [FormField]) {
        self.fields = fields
    }

    /// The field with this key.
    public func field(_ key: String) -> FormField? { fields.first { $0.key == key } }
}

/// One input of a form: a variable, how it is entered and what it must be.
public struct FormField: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// One line of text.
        case text
        /// Several lines of text.
        case textarea
        /// A number, whole or not.
        case number
        /// A whole number.
        case integer
        /// Yes or no (a checkbox).
        case boolean
        /// A calendar date, `YYYY-MM-DD`.
        case date
        /// One of the options' values.
        case choice
    }

    /// The variable it sets.
    public let key: String
    public let label: String
    public let kind: Kind
    /// Whether the task cannot be completed without it (text: not blank).
    public let required: Bool
    /// For a choice: what may be chosen, in order.
    public let options: [FormOption]
    /// For numbers: the bounds, inclusive.
    public let minimum: Double?
    public let maximum: Double?
    /// For text: the bounds of its length in characters.
    public let minLength: Int?
    public let maxLength: Int?
    /// For one line of text: a regular expression the whole text must match.
    public let pattern: String?
    /// CEL over the task's variables giving what the field shows first.
    public let initial: FlowExpression?

    public init(key: String, label: String, kind: Kind, required: Bool = false, options: [FormOption] = [], minimum: Double? = nil,
                maximum: Double? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, initial: FlowExpression? = nil) {
        self.key = key
        self.label = label
        self.kind = kind
        self.required = required
        self.options = options
        self.minimum = minimum
        self.maximum = maximum
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.initial = initial
    }
}

/// A value a choice field offers, with what the person reads.
public struct FormOption: Sendable, Equatable {
    public let value: String
    public let label: String

    public init(value: String, label: String) {
        self.value = value
        self.label = label
    }
}
