/// The static type of an expression or variable; `dyn` values are checked at run time.
public indirect enum ExpressionType: Sendable, Equatable, CustomStringConvertible {
    case dyn
    case null
    case bool
    case int
    case double
    case string
    case list(ExpressionType)
    /// A map with string keys, e.g. a JSON object.
    case map(ExpressionType)

    public var description: String {
        switch self {
        case .dyn: return "dyn"
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .list(let element): return "list(\(element))"
        case .map(let value): return "map(string, \(value))"
        }
    }

    /// True when a value of this type may be a value of `other` (dyn on either side is compatible).
    func isCompatible(with other: ExpressionType) -> Bool {
        switch (self, other) {
        case (.dyn, _), (_, .dyn): return true
        case (.list(let a), .list(let b)): return a.isCompatible(with: b)
        case (.map(let a), .map(let b)): return a.isCompatible(with: b)
        default: return self == other
        }
    }

    /// True for `dyn` or a type matching `predicate`.
    func allows(_ predicate: (ExpressionType) -> Bool) -> Bool {
        self == .dyn || predicate(self)
    }

    /// The common type of two types, or `dyn` when they differ.
    func joined(with other: ExpressionType) -> ExpressionType {
        if self == other { return self }
        switch (self, other) {
        case (.list(let a), .list(let b)): return .list(a.joined(with: b))
        case (.map(let a), .map(let b)): return .map(a.joined(with: b))
        default: return .dyn
        }
    }

    /// The static type of a JSON literal value.
    init(of value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .integer: self = .int
        case .double: self = .double
        case .string: self = .string
        case .array(let elements):
            self = .list(elements.map(ExpressionType.init(of:)).reduce(nil as ExpressionType?) { $0?.joined(with: $1) ?? $1 } ?? .dyn)
        case .object(let object):
            self = .map(object.map { ExpressionType(of: $0.value) }.reduce(nil as ExpressionType?) { $0?.joined(with: $1) ?? $1 } ?? .dyn)
        }
    }
}

/// The root variables an expression may use, with their declared types.
public struct ExpressionEnvironment: Sendable, Equatable {
    /// One declared root variable.
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var type: ExpressionType

        public init(_ name: String, _ type: ExpressionType) {
            self.name = name
            self.type = type
        }
    }

    public private(set) var variables: [Variable]

    public init(_ variables: [Variable]) {
        self.variables = variables
    }

    /// The position of `name` in `variables`.
    func index(of name: String) -> Int? {
        variables.firstIndex { $0.name == name }
    }

    /// Adds a variable and returns its position.
    mutating func declare(_ variable: Variable) -> Int {
        variables.append(variable)
        return variables.count - 1
    }

    /// The CloudEvents view of a Rapport `Event`: `id`, `source`, `type`, `subject`, `time` (RFC 3339 string),
    /// `datacontenttype`, `specversion` (strings), `sequence` (int) and `data` (dyn).
    public static let events = ExpressionEnvironment([
        Variable("id", .string),
        Variable("source", .string),
        Variable("type", .string),
        Variable("subject", .string),
        Variable("time", .string),
        Variable("datacontenttype", .string),
        Variable("specversion", .string),
        Variable("sequence", .int),
        Variable("data", .dyn),
    ])
}
