/// What a file is imported into.
public enum ImportTarget: Sendable, Equatable, Hashable {
    case customers
    /// The records of the type with this key.
    case records(String)

    public var recordTypeKey: String? {
        if case .records(let key) = self { return key }
        return nil
    }
}

public enum ImportFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl
}

/// Where each column of a file goes: a column named here goes to its target (`nil`: ignored);
/// a column not named goes to the target of the same name, when there is one. For JSON Lines the
/// columns are the top-level keys of each line.
public struct ImportMapping: Sendable, Equatable {
    public var targets: [String: String?]

    public init(_ targets: [String: String?] = [:]) {
        self.targets = targets
    }

    /// Where `column` goes, or nil when it is ignored (named with no target, or not named and no
    /// target has its name).
    public func target(of column: String, isTarget: (String) -> Bool) -> String? {
        if let explicit = targets[column] { return explicit }
        let trimmed = column.trimmingWhitespace()
        return isTarget(trimmed) ? trimmed : nil
    }

    public var json: JSONValue {
        .object(JSONObject(targets.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map(JSONValue.string) ?? .null) }))
    }

    public init(stored value: JSONValue) {
        var targets: [String: String?] = [:]
        for (column, target) in value.objectValue ?? JSONObject() { targets[column] = target.stringValue }
        self.targets = targets
    }
}

/// An import as a caller asks for it: `{"target": "customers" | "records", "record_type": "deal",
/// "format": "csv" | "jsonl", "mapping": {"E-mail": "emails", "Notes": null}, "dry_run": false,
/// "file_name": "contacts.csv"}`.
public struct ImportSpec: Sendable, Equatable {
    public var target: ImportTarget
    public var format: ImportFormat
    public var mapping: ImportMapping
    public var dryRun: Bool
    public var fileName: String?

    public init(target: ImportTarget, format: ImportFormat, mapping: ImportMapping = ImportMapping(), dryRun: Bool = false,
                fileName: String? = nil) {
        self.target = target
        self.format = format
        self.mapping = mapping
        self.dryRun = dryRun
        self.fileName = fileName
    }

    public static let maxMappedColumns = 500

    /// Reads a request body; the mapping's targets are checked once the record type is known
    /// (`ImportColumns.unknownTargets`).
    public static func read(_ body: JSONValue) throws(ValidationFailure) -> ImportSpec {
        var reader = try InputReader(body)
        let targetName = reader.string("target", required: true, maxLength: 20)
        let typeKey = reader.string("record_type", maxLength: 64)
        var target = ImportTarget.customers
        switch targetName {
        case "customers":
            if typeKey != nil { reader.fail("record_type", "is only for target records") }
        case "records":
            if let typeKey { target = .records(typeKey) } else { reader.fail("record_type", "is required for target records") }
        case nil: break
        default: reader.fail("target", "must be customers or records")
        }
        let format: ImportFormat = reader.enumeration("format") ?? .csv
        var mapping = ImportMapping()
        if let raw = reader.value("mapping"), !raw.isNull {
            if let object = raw.objectValue, object.count <= maxMappedColumns {
                for (column, value) in object {
                    switch value {
                    case .null: mapping.targets[column] = .some(nil)
                    case .string(let target) where !target.isEmpty && target.count <= 100: mapping.targets[column] = .some(target)
                    case .string(let target) where target.isEmpty: mapping.targets[column] = .some(nil)
                    default: reader.fail("mapping.\(column)", "expected the name of a field, or null to ignore the column")
                    }
                }
            } else {
                reader.fail("mapping", "expected an object of at most \(maxMappedColumns) column → field names")
            }
        }
        let dryRun = reader.bool("dry_run") ?? false
        let fileName = reader.string("file_name", maxLength: 255)
        try reader.finish()
        return ImportSpec(target: target, format: format, mapping: mapping, dryRun: dryRun, fileName: fileName)
    }
}
