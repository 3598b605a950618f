import Foundation

/// Why a value does not fit its field, in words for the field's issue.
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    public init(stringLiteral value: String) {
        description = value
    }
}

/// What checking a value needs beyond its field: how email addresses and phone numbers are written
/// in their canonical form (the phone's default region among them).
public struct FieldValueContext: Sendable {
    public var normalizer: IdentityNormalizer

    public init(normalizer: IdentityNormalizer) {
        self.normalizer = normalizer
    }
}

/// Values of fields: each checked against its field's kind and written in one form, so equal
/// values are stored equal (what `unique` compares and CEL reads).
public enum FieldValues {
    public static let maxText = 1_000
    public static let maxLongText = 100_000
    public static let maxReferences = 100

    /// The value in its stored form, or why it does not fit the field (null is not a value:
    /// the caller decides what null means).
    public static func normalize(_ value: JSONValue, for field: FieldDefinition, context: FieldValueContext) -> Result<JSONValue, FieldProblem> {
        switch field.kind {
        case .text, .longText:
            guard let text = value.stringValue else { return .failure("expected text, got \(value.typeName)") }
            let limit = field.kind == .text ? maxText : maxLongText
            guard text.count <= limit else { return .failure("must be at most \(limit) characters") }
            if field.kind == .text, text.contains(where: \.isNewline) { return .failure("must be one line (long_text takes paragraphs)") }
            guard text.hasVisibleCharacters else { return .failure("must not be blank (null clears the field)") }
            return .success(.string(text))
        case .number, .percent:
            switch value {
            case .integer: return .success(value)
            case .double(let number) where number.isFinite: return .success(value)
            default: return .failure("expected a number, got \(value.typeName)")
            }
        case .money:
            return Money.read(value).map(\.json)
        case .date:
            guard let text = value.stringValue, let date = CalendarDate(text) else { return .failure("expected a date as YYYY-MM-DD") }
            return .success(.string(date.description))
        case .datetime:
            guard let text = value.stringValue, let time = Timestamp(rfc3339: text) else {
                return .failure("expected an RFC 3339 time like 2026-12-04T09:30:00Z")
            }
            return .success(.string(time.rfc3339))
        case .boolean:
            guard case .bool = value else { return .failure("expected true or false, got \(value.typeName)") }
            return .success(value)
        case .choice:
            guard let key = value.stringValue else { return .failure("expected one of the choices' keys, got \(value.typeName)") }
            guard field.choices.contains(where: { $0.key == key }) else { return .failure(notAChoice(key, field)) }
            return .success(value)
        case .multiChoice:
            guard let items = value.arrayValue else { return .failure("expected a list of the choices' keys, got \(value.typeName)") }
            var keys: [String] = []
            for item in items {
                guard let key = item.stringValue else { return .failure("expected a list of the choices' keys") }
                guard field.choices.contains(where: { $0.key == key }) else { return .failure(notAChoice(key, field)) }
                if !keys.contains(key) { keys.append(key) }
            }
            // Stored in the order of the field's choices: the same set is the same value.
            let order = field.choices.map(\.key)
            return .success(.array(keys.sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }.map(JSONValue.string)))
        case .email:
            guard let text = value.stringValue else { return .failure("expected an email address, got \(value.typeName)") }
            do { return .success(.string(try context.normalizer.normalizeEmail(text))) } catch { return .failure(FieldProblem(error.description)) }
        case .phone:
            guard let text = value.stringValue else { return .failure("expected a phone number, got \(value.typeName)") }
            do { return .success(.string(try context.normalizer.normalizePhone(text))) } catch { return .failure(FieldProblem(error.description)) }
        case .url:
            guard let text = value.stringValue, WebAddress.isValid(text) else {
                return .failure("expected an http:// or https:// address with a host name")
            }
            return .success(value)
        case .reference:
            return reference(value, field)
        case .referenceList:
            guard let items = value.arrayValue, items.count <= maxReferences else {
                return .failure("expected a list of at most \(maxReferences) ids")
            }
            var ids: [JSONValue] = []
            for item in items {
                switch reference(item, field) {
                case .success(let id): if !ids.contains(id) { ids.append(id) }
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(.array(ids))
        }
    }

    private static func reference(_ value: JSONValue, _ field: FieldDefinition) -> Result<JSONValue, FieldProblem> {
        let prefix = field.target?.idPrefix ?? ""
        guard let id = value.stringValue, id.hasPrefix(prefix), id.count <= 64, id.unicodeScalars.count > prefix.count,
              id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
            return .failure("expected the id of a \(field.target?.name ?? "record") (\(prefix)…)")
        }
        return .success(value)
    }

    private static func notAChoice(_ key: String, _ field: FieldDefinition) -> FieldProblem {
        let keys = field.choices.prefix(10).map(\.key).joined(separator: ", ")
        return FieldProblem("\(key) is not a choice of \(field.key) (\(keys)\(field.choices.count > 10 ? ", …" : ""))")
    }
}

/// A calendar date without a time or zone, as `YYYY-MM-DD`.
public struct CalendarDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// The day (in UTC) an instant falls on.
    public init(_ instant: Timestamp) {
        let days = Timestamp.floorDivide(instant.microseconds, Timestamp.microsPerSecond * Timestamp.secondsPerDay)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        (self.year, self.month, self.day) = (Int(year), Int(month), Int(day))
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        let count = Timestamp.days(fromYear: Int64(year), month: Int64(month), day: Int64(day)) + Int64(days)
        let (year, month, day) = Timestamp.civil(fromDays: count)
        var date = self
        (date.year, date.month, date.day) = (Int(year), Int(month), Int(day))
        return date
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }
}
