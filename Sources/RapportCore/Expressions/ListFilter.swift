/// A list's filter written in CEL and translated into a condition the database evaluates, so a
/// filtered list reads only the rows it returns. The translation takes the part of CEL a filter
/// over stored values needs: a path compared with a value (`==`, `!=`, `<`, `<=`, `>`, `>=`),
/// `path in [values]`, `"value" in path` for lists, `has(path)`, `path.startsWith/endsWith/contains("…")`,
/// a boolean path alone, `true`/`false`, joined by `&&`, `||`, `!` and parentheses. Anything else
/// is refused at once, naming the place and what is allowed — never evaluated row by row.
public enum ListFilter {
    /// Translates `source` against what the list's `schema` lets a filter name.
    public static func translate(_ source: String, schema: ListFilterSchema,
                                 limits: ExpressionLimits = .standard) throws(ExpressionError) -> ListCondition {
        if source.utf8.count > limits.maxLength {
            throw ExpressionError(line: 1, column: 1, message: "the filter is too long (\(source.utf8.count) bytes; the limit is \(limits.maxLength))")
        }
        let syntax: ExpressionSyntax
        do { syntax = try ExpressionParser.parse(source, limits: limits) } catch {
            throw ExpressionError(source: source, offset: error.offset, message: error.message)
        }
        var translator = ListFilterTranslator(source: source, schema: schema)
        return try translator.condition(syntax)
    }
}

/// What values a filterable path holds, which decides how it is compared.
public enum FilterValueKind: Sendable, Equatable {
    /// Compared as text (ids, text, choices, email).
    case text
    /// A calendar date written `YYYY-MM-DD` (which compares as text in time order).
    case dateText
    /// An instant written in RFC 3339; a compared value is read as a time and written in the stored form.
    case instantText
    case number
    case boolean
    /// A time column counted in microseconds; compared with RFC 3339 text.
    case timeColumn
    /// A list of texts (multi choice, reference lists): `"x" in path` only.
    case textList
    /// An object (an amount of money): only whether it is there (`has()`, `== null`); its members are compared.
    case document
}

/// A path a filter may name: a column, or a member inside a JSON column.
public struct FilterablePath: Sendable, Equatable, Hashable {
    public var column: String
    public var members: [String]
    public var kind: FilterValueKind

    public init(column: String, members: [String] = [], kind: FilterValueKind) {
        self.column = column
        self.members = members
        self.kind = kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(column)
        hasher.combine(members)
    }
}

/// The paths of one list, by their dotted CEL names (`customer_id`, `fields.amount.amount`), and
/// the words said of paths that exist but cannot be compared whole (`fields.amount` is money).
public struct ListFilterSchema: Sendable {
    public var paths: [String: FilterablePath]
    public var hints: [String: String]
    /// JSON columns whose members are not declared (a customer's `attributes`): any member named
    /// with letters, digits and `_` may be filtered on, as text or true/false — the value written
    /// out says which; the database never has to convert what is stored there.
    public var openColumns: Set<String>
    /// Record types whose records about the row may be asked for, by key, with what a filter of
    /// each may name: `records.deal.exists(d, d.stage == "won")` (the customers' list and segments).
    public var relatedRecords: [String: ListFilterSchema]

    public init(paths: [String: FilterablePath] = [:], hints: [String: String] = [:], openColumns: Set<String> = [],
                relatedRecords: [String: ListFilterSchema] = [:]) {
        self.paths = paths
        self.hints = hints
        self.openColumns = openColumns
        self.relatedRecords = relatedRecords
    }
}

public enum FilterComparison: String, Sendable, Equatable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

    var flipped: FilterComparison {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessEqual: .greaterEqual
        case .greater: .less
        case .greaterEqual: .lessEqual
        }
    }
}

public enum TextMatch: String, Sendable, Equatable {
    case startsWith, endsWith, contains
}

/// A filter as the database evaluates it. Values are in the path's stored form: text for text
/// paths, a number for numbers, a bool, microseconds for time columns; `.null` only with `==`/`!=`.
public indirect enum ListCondition: Sendable, Equatable {
    case all([ListCondition])
    case any([ListCondition])
    case not(ListCondition)
    case compare(FilterablePath, FilterComparison, JSONValue)
    case oneOf(FilterablePath, [JSONValue])
    case present(FilterablePath)
    case text(FilterablePath, TextMatch, String)
    case listContains(FilterablePath, String)
    case constant(Bool)
    /// The row (a customer) has a record of the type with this key for which the condition holds.
    case hasRecord(String, ListCondition)

    /// The record types the condition asks about.
    public var recordTypesAsked: Set<String> {
        switch self {
        case .all(let parts), .any(let parts): parts.reduce(into: Set()) { $0.formUnion($1.recordTypesAsked) }
        case .not(let inner): inner.recordTypesAsked
        case .hasRecord(let key, _): [key]
        default: []
        }
    }
}

private struct ListFilterTranslator {
    let source: String
    let schema: ListFilterSchema
    /// Inside `exists(r, …)`: paths are named through `r`.
    var variable: String?

    static let allowed = "a filter compares a field with a value (== != < <= > >=), uses in, has(), startsWith, endsWith or contains, joined by && || ! and parentheses"

    /// An error placed where the part it is about starts (a path at its first name, not its last dot).
    func fail(_ node: ExpressionSyntax, _ message: String) -> ExpressionError {
        ExpressionError(source: source, offset: start(node), message: message)
    }

    private func start(_ node: ExpressionSyntax) -> Int {
        switch node.kind {
        case .select(let base, _), .index(let base, _): min(node.offset, start(base))
        case .binary(_, let left, _): min(node.offset, start(left))
        case .call(_, let target?, _): min(node.offset, start(target))
        default: node.offset
        }
    }

    mutating func condition(_ node: ExpressionSyntax) throws(ExpressionError) -> ListCondition {
        switch node.kind {
        case .literal(.bool(let value)):
            return .constant(value)
        case .unary(.not, let operand):
            return .not(try condition(operand))
        case .binary(.and, let left, let right):
            return .all(flatten(try condition(left), try condition(right), and: true))
        case .binary(.or, let left, let right):
            return .any(flatten(try condition(left), try condition(right), and: false))
        case .binary(.in, let left, let right):
            return try membership(left, right, node)
        case .binary(let op, let left, let right):
            guard let comparison = FilterComparison(rawValue: op.rawValue) else {
                throw fail(node, "\(op.rawValue) cannot be used here: \(Self.allowed)")
            }
            return try compare(left, comparison, right, node)
        case .call(let function, let target, let arguments):
            return try call(function, target, arguments, node)
        case .identifier, .select, .index:
            var path = try self.path(node)
            if isOpen(path) { path.kind = .boolean }
            guard path.kind == .boolean else { throw fail(node, "\(name(node) ?? "this") is not true or false: compare it with a value") }
            return .compare(path, .equal, .bool(true))
        default:
            throw fail(node, "this cannot be used in a list filter: \(Self.allowed)")
        }
    }

    private func flatten(_ left: ListCondition, _ right: ListCondition, and: Bool) -> [ListCondition] {
        func parts(_ condition: ListCondition) -> [ListCondition] {
            switch (condition, and) {
            case (.all(let inner), true), (.any(let inner), false): inner
            default: [condition]
            }
        }
        return parts(left) + parts(right)
    }

    private func compare(_ left: ExpressionSyntax, _ op: FilterComparison, _ right: ExpressionSyntax,
                         _ node: ExpressionSyntax) throws(ExpressionError) -> ListCondition {
        let (pathNode, valueNode, comparison): (ExpressionSyntax, ExpressionSyntax, FilterComparison)
        if name(left) != nil, literal(right) != nil {
            (pathNode, valueNode, comparison) = (left, right, op)
        } else if name(right) != nil, literal(left) != nil {
            (pathNode, valueNode, comparison) = (right, left, op.flipped)
        } else if let variable, fullName(left) != nil || fullName(right) != nil {
            throw fail(node, "expected a field of the record, named through \(variable) (like \(variable).stage or \(variable).fields.amount.amount)")
        } else {
            throw fail(node, "compare a field with a value written out (like fields.status == \"won\"): \(Self.allowed)")
        }
        var path = try self.path(pathNode)
        let value = literal(valueNode)!
        if isOpen(path), !value.isNull { path.kind = try openKind(of: value, valueNode) }
        if value.isNull {
            guard comparison == .equal || comparison == .notEqual else { throw fail(valueNode, "null can only be compared with == or !=") }
            return comparison == .equal ? .not(.present(path)) : .present(path)
        }
        if path.kind == .document { throw fail(pathNode, schema.hints[name(pathNode)!] ?? "\(name(pathNode)!) is an object: compare one of its members") }
        if path.kind == .textList { throw fail(pathNode, "\(name(pathNode)!) is a list: ask whether it holds a value with \"value\" in \(name(pathNode)!)") }
        if path.kind == .boolean, comparison != .equal, comparison != .notEqual {
            throw fail(valueNode, "true and false can only be compared with == or !=")
        }
        return .compare(path, comparison, try stored(value, for: path, valueNode))
    }

    private func membership(_ left: ExpressionSyntax, _ right: ExpressionSyntax, _ node: ExpressionSyntax) throws(ExpressionError) -> ListCondition {
        if name(left) != nil, case .list(let items) = right.kind {
            var path = try self.path(left)
            if isOpen(path), let first = items.first, let value = literal(first), !value.isNull { path.kind = try openKind(of: value, first) }
            guard path.kind != .document else { throw fail(left, schema.hints[name(left)!] ?? "\(name(left)!) is an object: compare one of its members") }
            guard path.kind != .textList else { throw fail(left, "\(name(left)!) is a list: ask for one value at a time (\"x\" in \(name(left)!))") }
            guard !items.isEmpty, items.count <= 500 else { throw fail(right, "the list must have 1 to 500 values") }
            var values: [JSONValue] = []
            for item in items {
                guard let value = literal(item), !value.isNull else { throw fail(item, "the list may hold only values written out") }
                values.append(try stored(value, for: path, item))
            }
            return .oneOf(path, values)
        }
        if let value = literal(left), name(right) != nil {
            var path = try self.path(right)
            if isOpen(path) { path.kind = .textList }
            guard path.kind == .textList else { throw fail(right, "\(name(right)!) is not a list: compare it with == instead") }
            guard case .string(let text) = value else { throw fail(left, "expected text to look for in \(name(right)!)") }
            return .listContains(path, text)
        }
        throw fail(node, "in takes a field and a list of values ([\"a\", \"b\"]), or a value and a list field")
    }

    private func call(_ function: String, _ target: ExpressionSyntax?, _ arguments: [ExpressionSyntax],
                      _ node: ExpressionSyntax) throws(ExpressionError) -> ListCondition {
        if function == "has", target == nil, arguments.count == 1 {
            return .present(try path(arguments[0]))
        }
        if function == "exists", let target, let typeName = name(target), typeName.hasPrefix("records.") {
            return try related(String(typeName.dropFirst("records.".count)), target, arguments, node)
        }
        if let match = TextMatch(rawValue: function), let target, arguments.count == 1 {
            let path = try self.path(target)
            guard path.kind == .text else { throw fail(target, "\(function) works on text, and \(name(target) ?? "this") is not text") }
            guard case .string(let text)? = literal(arguments[0]) else { throw fail(arguments[0], "\(function) takes text written out") }
            return .text(path, match, text)
        }
        throw fail(node, "\(function)() cannot be used in a list filter: \(Self.allowed)")
    }

    /// `records.<type>.exists(r, <condition over r>)`: the condition translated against the type's
    /// own schema, its paths named through the variable (`r.stage`, `r.fields.amount.amount`).
    private func related(_ key: String, _ target: ExpressionSyntax, _ arguments: [ExpressionSyntax],
                         _ node: ExpressionSyntax) throws(ExpressionError) -> ListCondition {
        guard let schema = schema.relatedRecords[key] else {
            let known = self.schema.relatedRecords.keys.sorted().prefix(12).map { "records.\($0)" }.joined(separator: ", ")
            throw fail(target, "there is no record type \(key)\(known.isEmpty ? "" : " (\(known))")")
        }
        guard arguments.count == 2, case .identifier(let variable) = arguments[0].kind else {
            throw fail(node, "write records.\(key).exists(r, condition on r), like records.\(key).exists(r, r.stage == \"won\")")
        }
        var inner = ListFilterTranslator(source: source, schema: schema)
        inner.variable = variable
        return .hasRecord(key, try inner.condition(arguments[1]))
    }

    /// The value in the path's stored form, or why it cannot be compared with it.
    private func stored(_ value: JSONValue, for path: FilterablePath, _ node: ExpressionSyntax) throws(ExpressionError) -> JSONValue {
        switch (path.kind, value) {
        case (.text, .string):
            return value
        case (.dateText, .string(let text)):
            guard let date = CalendarDate(text) else { throw fail(node, "expected a date like \"2026-12-04\"") }
            return .string(date.description)
        case (.instantText, .string(let text)):
            guard let time = Timestamp(rfc3339: text) else { throw fail(node, "expected a time like \"2026-12-04T09:30:00Z\"") }
            return .string(time.rfc3339)
        case (.timeColumn, .string(let text)):
            guard let time = Timestamp(rfc3339: text) else { throw fail(node, "expected a time like \"2026-12-04T09:30:00Z\"") }
            return .integer(time.microseconds)
        case (.number, .integer), (.number, .double), (.boolean, .bool):
            return value
        default:
            let expected = switch path.kind {
            case .text, .textList: "text"
            case .dateText: "a date as YYYY-MM-DD"
            case .instantText, .timeColumn: "a time in RFC 3339 text"
            case .number: "a number"
            case .boolean: "true or false"
            case .document: "one of its members"
            }
            throw fail(node, "expected \(expected) to compare with, got \(value.typeName)")
        }
    }

    /// A value written out: a literal, or a negated number.
    private func literal(_ node: ExpressionSyntax) -> JSONValue? {
        switch node.kind {
        case .literal(let value): return value
        case .unary(.negate, let operand):
            switch operand.kind {
            case .literal(.integer(let number)): return .integer(-number)
            case .literal(.double(let number)): return .double(-number)
            default: return nil
            }
        default: return nil
        }
    }

    /// The dotted name of a path (`fields.amount.currency`, `fields["amount"]`), or nil when it is not
    /// one; inside `exists(r, …)` without the leading `r`.
    private func name(_ node: ExpressionSyntax) -> String? {
        guard let variable else { return fullName(node) }
        guard let full = fullName(node), full.hasPrefix(variable + "."), full.count > variable.count + 1 else { return nil }
        return String(full.dropFirst(variable.count + 1))
    }

    private func fullName(_ node: ExpressionSyntax) -> String? {
        switch node.kind {
        case .identifier(let name): return name
        case .select(let base, let field): return fullName(base).map { "\($0).\(field)" }
        case .index(let base, let index):
            guard case .literal(.string(let key)) = index.kind else { return nil }
            return fullName(base).map { "\($0).\(key)" }
        default: return nil
        }
    }

    /// A member of an open column (its kind is the value's it is compared with).
    private func isOpen(_ path: FilterablePath) -> Bool {
        !path.members.isEmpty && schema.openColumns.contains(path.column) && schema.paths["\(path.column).\(path.members.joined(separator: "."))"] == nil
    }

    private func openKind(of value: JSONValue, _ node: ExpressionSyntax) throws(ExpressionError) -> FilterValueKind {
        switch value {
        case .string: return .text
        case .bool: return .boolean
        default: throw fail(node, "an attribute is compared with text or true/false written out")
        }
    }

    private func path(_ node: ExpressionSyntax) throws(ExpressionError) -> FilterablePath {
        guard let name = name(node) else {
            if let variable { throw fail(node, "expected a field of the record, named through \(variable) (like \(variable).stage or \(variable).fields.amount.amount)") }
            throw fail(node, "expected a field (like fields.status or created_at)")
        }
        if let path = schema.paths[name] { return path }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2, schema.openColumns.contains(parts[0]) {
            let members = Array(parts.dropFirst())
            guard members.count <= 4, members.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") } }) else {
                throw fail(node, "\(parts[0]) members are named with letters, digits and _ (at most 4 deep)")
            }
            return FilterablePath(column: parts[0], members: members, kind: .text)
        }
        if let hint = schema.hints[name] { throw fail(node, hint) }
        let known = schema.paths.keys.filter { !$0.contains(".") || $0.hasPrefix("fields.") }.sorted().prefix(12).joined(separator: ", ")
        throw fail(node, "\(name) is not something this list can filter on (\(known)\(schema.paths.count > 12 ? ", …" : ""))")
    }
}
