/// Reads a JSON object field by field, collecting every problem with a field-named message.
///
/// Fields that are read are "known"; `finish()` reports any other field as unknown, so typos in
/// requests fail loudly instead of being silently dropped.
public struct InputReader: Sendable {
    public let object: JSONObject
    public let path: String
    public private(set) var issues: [FieldIssue] = []
    /// The keys read so far; a list, as objects read field by field have a few keys, and a scan
    /// of a few is cheaper than hashing each into a set.
    private var known: [String] = []

    /// Starts reading `value`, which must be a JSON object.
    public init(_ value: JSONValue, path: String = "") throws(ValidationFailure) {
        guard case .object(let object) = value else {
            throw ValidationFailure(field: path.isEmpty ? "body" : path, message: "expected a JSON object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    /// The full path of a field of this object, for error messages.
    public func field(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    public mutating func fail(_ key: String, _ message: String) {
        issues.append(FieldIssue(field: field(key), message: message))
    }

    public mutating func absorb(_ failure: ValidationFailure) {
        issues.append(contentsOf: failure.issues)
    }

    /// The raw value of `key`, marking it known; `nil` when absent.
    public mutating func value(_ key: String) -> JSONValue? {
        if !known.contains(key) { known.append(key) }
        return object[key]
    }

    public mutating func string(_ key: String, required: Bool = false, maxLength: Int = 1_000) -> String? {
        switch patchString(key, maxLength: maxLength) {
        case .set(let text): return text
        case .clear:
            fail(key, "must not be null")
            return nil
        case .unchanged:
            if required, object[key] == nil { fail(key, "is required") }
            return nil
        }
    }

    /// A string that a merge patch may leave alone, clear with null, or set.
    public mutating func patchString(_ key: String, maxLength: Int = 1_000) -> PatchValue<String> {
        guard let raw = value(key) else { return .unchanged }
        switch raw {
        case .null: return .clear
        case .string(let text):
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty {
                fail(key, "must not be empty")
                return .unchanged
            }
            if trimmed.containsControlCharacters {
                fail(key, "must not contain control characters")
                return .unchanged
            }
            // Counted in code points, as JSON Schema's maxLength counts them.
            if trimmed.utf8.count > maxLength, trimmed.unicodeScalars.count > maxLength {
                fail(key, "must be at most \(maxLength) characters")
                return .unchanged
            }
            return .set(trimmed)
        default:
            fail(key, "expected a string, got \(raw.typeName)")
            return .unchanged
        }
    }

    public mutating func enumeration<E: RawRepresentable & CaseIterable & Sendable>(_ key: String, required: Bool = false) -> E? where E.RawValue == String {
        switch patchEnumeration(key) as PatchValue<E> {
        case .set(let value): return value
        case .clear:
            fail(key, "must not be null")
            return nil
        case .unchanged:
            if required, object[key] == nil { fail(key, "is required") }
            return nil
        }
    }

    public mutating func patchEnumeration<E: RawRepresentable & CaseIterable & Sendable>(_ key: String) -> PatchValue<E> where E.RawValue == String {
        guard let raw = value(key) else { return .unchanged }
        switch raw {
        case .null: return .clear
        case .string(let text):
            if let value = E(rawValue: text) { return .set(value) }
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            fail(key, "\"\(text.prefix(64))\" is not one of: \(allowed)")
            return .unchanged
        default:
            fail(key, "expected a string, got \(raw.typeName)")
            return .unchanged
        }
    }

    /// An integer within `range` (`1674.0` is the integer 1674, as in JSON Schema); nil when
    /// absent, and an issue naming the field (`message`, or the range) when it is anything else.
    public mutating func integer(_ key: String, in range: ClosedRange<Int64>, message: String? = nil) -> Int64? {
        guard let raw = value(key) else { return nil }
        if let number = raw.integralValue, range.contains(number) { return number }
        fail(key, message ?? "expected an integer from \(range.lowerBound) to \(range.upperBound)")
        return nil
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let raw = value(key) else { return nil }
        guard case .bool(let flag) = raw else {
            fail(key, "expected a boolean, got \(raw.typeName)")
            return nil
        }
        return flag
    }

    public mutating func timestamp(_ key: String) -> Timestamp? {
        guard let raw = value(key) else { return nil }
        guard case .string(let text) = raw else {
            fail(key, "expected an RFC 3339 timestamp string, got \(raw.typeName)")
            return nil
        }
        guard let time = Timestamp(rfc3339: text) else {
            fail(key, "\"\(text.prefix(64))\" is not an RFC 3339 timestamp (e.g. 2026-11-22T09:30:00Z)")
            return nil
        }
        return time
    }

    /// A list of strings; each element is reported by index when wrong (also, with `visible`,
    /// when it has no character other than white space and control characters).
    public mutating func stringList(_ key: String, maxCount: Int, maxLength: Int = 500, visible: Bool = false) -> [String]? {
        guard let raw = value(key) else { return nil }
        if raw.isNull { return [] }
        guard case .array(let elements) = raw else {
            fail(key, "expected an array of strings, got \(raw.typeName)")
            return nil
        }
        if elements.count > maxCount {
            fail(key, "must have at most \(maxCount) entries")
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                issues.append(FieldIssue(field: "\(field(key))[\(index)]", message: "expected a string, got \(element.typeName)"))
                continue
            }
            if text.unicodeScalars.count > maxLength {
                issues.append(FieldIssue(field: "\(field(key))[\(index)]", message: "must be at most \(maxLength) characters"))
                continue
            }
            if visible, !text.hasVisibleCharacters {
                issues.append(FieldIssue(field: "\(field(key))[\(index)]", message: "must not be blank"))
                continue
            }
            result.append(text)
        }
        return result
    }

    /// A nested JSON object with a bounded number of keys.
    public mutating func object(_ key: String, maxKeys: Int = 100) -> PatchValue<JSONObject> {
        guard let raw = value(key) else { return .unchanged }
        switch raw {
        case .null: return .clear
        case .object(let nested):
            if nested.count > maxKeys {
                fail(key, "must have at most \(maxKeys) keys")
                return .unchanged
            }
            return .set(nested)
        default:
            fail(key, "expected an object, got \(raw.typeName)")
            return .unchanged
        }
    }

    /// Throws every collected issue, including fields nobody asked for.
    public mutating func finish(rejectUnknown: Bool = true) throws(ValidationFailure) {
        if rejectUnknown {
            for key in object.keys where !known.contains(key) {
                issues.append(FieldIssue(field: field(key), message: "unknown field"))
            }
        }
        if !issues.isEmpty { throw ValidationFailure(issues) }
    }
}

extension String {
    /// Whether a character other than white space and control characters is in the string (what
    /// the document's "not blank" patterns ask of a value).
    public var hasVisibleCharacters: Bool {
        unicodeScalars.contains { scalar in
            // ASCII answers without a lookup in Unicode's tables: visible from "!" to "~".
            if scalar.isASCII { return scalar.value > 0x20 && scalar.value < 0x7F }
            return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
        }
    }

    /// Whether a control character other than tab, line feed and carriage return is in the string.
    /// Unicode's control characters (category Cc) are exactly U+0000–U+001F and U+007F–U+009F, a
    /// set the standard keeps stable, so no lookup in its tables is needed.
    public var containsControlCharacters: Bool {
        // Read in UTF-8: C0 controls and DEL are single bytes, C1 controls (U+0080–U+009F) are
        // 0xC2 followed by 0x80–0x9F, and no other character's encoding holds those sequences.
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 ? (byte != 0x0A && byte != 0x09 && byte != 0x0D) : byte == 0x7F { return true }
            if previous == 0xC2, byte >= 0x80, byte <= 0x9F { return true }
            previous = byte
        }
        return false
    }

    /// Whether the string starts with `prefix`, compared by code points as a pattern (`^usr_`)
    /// compares: `hasPrefix` compares characters, and a combining mark after the prefix would join
    /// its last character (`"usr_\u{2DE3}"` does not have the prefix `"usr_"` for `hasPrefix`).
    public func hasScalarPrefix(_ prefix: String) -> Bool {
        unicodeScalars.starts(with: prefix.unicodeScalars)
    }

    /// The string without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        // Most text starts and ends with printable ASCII: nothing to trim, nothing to look up.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return scalars.count == count ? self : String(scalars)
    }
}
