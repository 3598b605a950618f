import RapportCore
import SQLKit

extension SQLRecordTypeStore {
    public func createRecordType(_ draft: RecordTypeDraft, actor: Actor, in tx: WriteTransaction) async throws -> RecordType {
        try await checkAutomations(draft.automations, in: tx)
        try await checkRollups(draft.fields, of: draft.key, in: tx)
        if try await tx.firstRow("SELECT key FROM record_types WHERE key = \(bind: draft.key)") != nil {
            throw StoreError(.conflict, "a record type with the key \(draft.key) exists", field: "key")
        }
        let now = tx.now()
        let type = RecordType(key: draft.key, label: draft.label, pluralLabel: draft.pluralLabel, description: draft.description,
                              fields: draft.fields, stages: draft.stages, automations: draft.automations, version: 1, createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO record_types (key, definition, version, created_at, updated_at)
            VALUES (\(bind: type.key), \(bind: type.json.jsonString), 1, \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        tx.append(.change("record_type", "created", subject: type.key, record: type.json, changedFields: [], actor: actor))
        try await store.records.recomputeAllRollups(of: type, in: tx)
        return type
    }

    public func replaceRecordType(_ draft: RecordTypeDraft, expectedVersion: Int64?, context: FieldValueContext, actor: Actor,
                                  in tx: WriteTransaction) async throws -> RecordType {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("SELECT definition FROM record_types WHERE key = \(bind: draft.key)" + lock),
              let current = Self.decode(try row.string("definition")) else {
            throw StoreError.notFound("record type", draft.key)
        }
        if let expectedVersion, expectedVersion != current.version {
            throw StoreError(.preconditionFailed, "record type \(current.key) is at version \(current.version), not \(expectedVersion)")
        }
        let (changed, conversions): (RecordType, [RecordTypeChange.Conversion])
        do { (changed, conversions) = try RecordTypeChange.apply(draft, to: current, at: tx.now()) } catch {
            throw StoreError(.invalidReference, error.issues.map(\.description).joined(separator: "; "), field: error.issues.first?.field)
        }
        try await checkAutomations(changed.automations, in: tx)
        try await checkRollups(changed.fields, of: changed.key, in: tx)
        try await checkRollupsFed(by: changed, draft: draft, in: tx)
        if !conversions.isEmpty { try await convertStoredValues(of: changed, conversions, context: context, in: tx) }
        try await moveStages(from: current, to: changed, actor: actor, in: tx)
        try await tx.execute("""
            UPDATE record_types SET definition = \(bind: changed.json.jsonString), version = \(bind: changed.version),
                updated_at = \(bind: changed.updatedAt.microseconds)
            WHERE key = \(bind: changed.key)
            """)
        tx.append(.change("record_type", "updated", subject: changed.key, record: changed.json,
                          changedFields: conversions.map(\.to.key), actor: actor))
        if changed.liveFields.contains(where: { $0.rollup != nil }) { try await store.records.recomputeAllRollups(of: changed, in: tx) }
        return changed
    }

    public func recordType(_ key: String) async throws -> RecordType? {
        try await read { database in
            try await database.raw("SELECT definition FROM record_types WHERE key = \(bind: key)").first()
                .flatMap { Self.decode(try $0.string("definition")) }
        }
    }

    public func install(_ drafts: [RecordTypeDraft], actor: Actor, in tx: WriteTransaction) async throws -> (installed: [String], kept: [String]) {
        var installed: [String] = []
        var kept: [String] = []
        for draft in drafts {
            if try await recordType(draft.key, in: tx) != nil {
                kept.append(draft.key)
            } else {
                do {
                    installed.append(try await createRecordType(draft, actor: actor, in: tx).key)
                } catch var error as StoreError {
                    // Several types are installed at once: the field names the type it belongs to.
                    error.field = error.field.map { "\(draft.key).\($0)" }
                    error.message = "record type \(draft.key): \(error.message)"
                    throw error
                }
            }
        }
        return (installed, kept)
    }

    public func recordType(_ key: String, in tx: WriteTransaction) async throws -> RecordType? {
        try await tx.firstRow("SELECT definition FROM record_types WHERE key = \(bind: key)").flatMap { Self.decode(try $0.string("definition")) }
    }

    /// The types that have a computed field, read in this transaction (the text is searched first:
    /// a record's write asks, and most types have none).
    public func recordTypes(withComputedFieldsIn tx: WriteTransaction) async throws -> [RecordType] {
        try await tx.rows("SELECT definition FROM record_types WHERE definition LIKE '%\"rollup\"%' ORDER BY key")
            .compactMap { Self.decode(try $0.string("definition")) }
    }

    /// A rolled-up field sums up a type that exists, through its reference field to this type, and
    /// (but for a count) a field of the rolled-up field's kind.
    private func checkRollups(_ fields: [FieldDefinition], of key: String, in tx: WriteTransaction) async throws {
        for (index, field) in fields.enumerated() {
            guard let rollup = field.rollup, !field.retired else { continue }
            let path = "fields[\(index)].rollup"
            guard rollup.from != key, let source = try await recordType(rollup.from, in: tx) else {
                throw StoreError(.invalidReference, "record type \(rollup.from) does not exist (or is this one)", field: "\(path).from")
            }
            guard let via = source.field(rollup.via), via.kind == .reference, via.target == .record(key) else {
                throw StoreError(.invalidReference, "\(rollup.via) is not a reference field of \(source.key) to record:\(key)", field: "\(path).via")
            }
            if let name = rollup.field {
                guard let summed = source.field(name) else {
                    throw StoreError(.invalidReference, "\(name) is not a field of \(source.key)", field: "\(path).field")
                }
                if rollup.function != .count, summed.kind != field.kind {
                    throw StoreError(.invalidReference, "\(source.key).\(name) is a \(summed.kind.rawValue) field; this one is \(field.kind.rawValue)",
                                     field: "\(path).field")
                }
            }
        }
    }

    /// The fields other types sum up stay as those sums need them: retiring one (or making it
    /// another kind, or a reference to something else) is refused, naming the computed field.
    private func checkRollupsFed(by source: RecordType, draft: RecordTypeDraft, in tx: WriteTransaction) async throws {
        for parent in try await recordTypes(withComputedFieldsIn: tx) where parent.key != source.key {
            for computed in parent.liveFields {
                guard let rollup = computed.rollup, rollup.from == source.key else { continue }
                var needed: [(key: String, fits: (FieldDefinition) -> Bool)] = [(rollup.via, { $0.kind == .reference && $0.target == .record(parent.key) })]
                if let summed = rollup.field {
                    needed.append((summed, { rollup.function == .count || $0.kind == computed.kind }))
                }
                for (key, fits) in needed {
                    guard let field = source.field(key), field.retired || !fits(field) else { continue }
                    let path = draft.fields.firstIndex { $0.key == key }.map { "fields[\($0)]" } ?? "fields"
                    throw StoreError(.invalidReference, "\(source.key).\(key) is summed up by \(parent.key).\(computed.key): "
                                     + "change or retire that computed field first", field: path)
                }
            }
        }
    }

    public func recordTypes() async throws -> [RecordType] {
        try await read { database in
            try await database.raw("SELECT definition FROM record_types ORDER BY key").all().compactMap { Self.decode(try $0.string("definition")) }
        }
    }

    /// The departments an automation hands customers between exist (by id or key), those it names
    /// and those its kind implies.
    private func checkAutomations(_ automations: [RecordAutomation], in tx: WriteTransaction) async throws {
        for (index, automation) in automations.enumerated() {
            for (member, name) in automation.departments {
                if try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: name) OR key = \(bind: name)") == nil {
                    throw StoreError(.invalidReference, "department \(name) does not exist", field: "automations[\(index)].handoff.\(member)")
                }
            }
        }
    }

    /// Records follow a change of pipeline: a new pipeline puts every record in its first stage; a
    /// stage taken away while records stand in it refuses the change, naming them.
    private func moveStages(from current: RecordType, to changed: RecordType, actor: Actor, in tx: WriteTransaction) async throws {
        let removed = current.stages.map(\.key).filter { changed.stage($0) == nil }
        if !removed.isEmpty {
            let rows = try await tx.rows("""
                SELECT id FROM records WHERE type_key = \(bind: changed.key) AND deleted_at IS NULL AND stage IN (\(binds: removed))
                ORDER BY id LIMIT 20
                """)
            if !rows.isEmpty {
                let ids = try rows.map { try $0.string("id") }
                throw StoreError(.invalidReference, "records stand in a stage the change takes away (\(removed.joined(separator: ", "))): \(ids.joined(separator: ", "))",
                                 field: "stages", extra: ["blocking_records": .array(ids.map(JSONValue.string))])
            }
        }
        guard current.stages.isEmpty, let first = changed.firstStage else { return }
        let now = tx.now()
        let waiting = try await tx.rows("SELECT id FROM records WHERE type_key = \(bind: changed.key) AND deleted_at IS NULL AND stage IS NULL")
        for row in waiting {
            let id = try row.string("id")
            try await tx.execute("UPDATE records SET stage = \(bind: first.key), stage_entered_at = \(bind: now.microseconds) WHERE id = \(bind: id)")
            try await RecordStageHistory.enter(first.key, record: id, at: now, actor: actor, in: tx)
        }
    }

    /// Rewrites every stored value of the converted fields (and fills newly required ones with
    /// their default); refuses, naming up to 20 records per field, when some value does not convert
    /// or a unique field would hold the same value twice.
    private func convertStoredValues(of type: RecordType, _ conversions: [RecordTypeChange.Conversion], context: FieldValueContext,
                                     in tx: WriteTransaction) async throws {
        var blocked: [String: [String]] = [:]
        var seen: [String: [String: String]] = [:]
        var rewritten: [(id: String, fields: JSONObject)] = []
        var after = ""
        while true {
            let rows = try await tx.rows("""
                SELECT id, \(RecordRows.fieldsColumn(flavor)) FROM records WHERE type_key = \(bind: type.key) AND deleted_at IS NULL AND id > \(bind: after)
                ORDER BY id LIMIT 1000
                """)
            guard let last = rows.last else { break }
            after = try last.string("id")
            for row in rows {
                let id = try row.string("id")
                var fields = try row.jsonObject("fields")
                var changed = false
                for conversion in conversions {
                    let key = conversion.to.key
                    var value = fields[key]
                    if let stored = value, !stored.isNull, let from = conversion.from, !conversion.fillsOnly {
                        value = RecordTypeChange.convert(stored, from: from, to: conversion.to, context: context)
                        if value == nil { blocked[key, default: []].append(id); continue }
                        if value != stored { changed = true }
                    }
                    if (value ?? .null).isNull {
                        if let fill = conversion.to.defaultValue, conversion.to.required {
                            value = fill
                            changed = true
                        } else if conversion.to.required {
                            blocked[key, default: []].append(id)
                            continue
                        }
                    }
                    fields[key] = value
                    if conversion.to.unique, let value, !value.isNull {
                        let text = value.jsonString
                        if let other = seen[key]?[text] { blocked[key, default: []].append(contentsOf: [other, id]) }
                        seen[key, default: [:]][text] = id
                    }
                }
                if changed { rewritten.append((id, fields)) }
            }
        }
        if let (key, ids) = blocked.min(by: { $0.key < $1.key }) {
            let shown = Array(Set(ids)).sorted().prefix(20)
            throw StoreError(.invalidReference,
                             "\(Set(ids).count) stored record\(Set(ids).count == 1 ? "" : "s") of \(type.key) cannot take the new definition of \(key): \(shown.joined(separator: ", "))",
                             field: "fields.\(key)", extra: ["blocking_records": .array(shown.map(JSONValue.string))])
        }
        for record in rewritten {
            try await tx.execute("UPDATE records SET fields = \(RecordRows.stored(record.fields, flavor)) WHERE id = \(bind: record.id)")
        }
        for conversion in conversions where conversion.to.unique {
            try await tx.execute("""
                DELETE FROM record_unique_values WHERE type_key = \(bind: type.key) AND field_key = \(bind: conversion.to.key)
                """)
            for (text, id) in seen[conversion.to.key] ?? [:] {
                try await tx.execute("""
                    INSERT INTO record_unique_values (type_key, field_key, value, record_id)
                    VALUES (\(bind: type.key), \(bind: conversion.to.key), \(bind: text), \(bind: id))
                    """)
            }
        }
    }

    static func decode(_ text: String) -> RecordType? {
        guard let object = (try? JSONParser.parse(text))?.objectValue, let key = object["key"]?.stringValue else { return nil }
        let fields = (object["fields"]?.arrayValue ?? []).compactMap(Self.field)
        func time(_ name: String) -> Timestamp { object[name]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp(microseconds: 0) }
        let stages = (object["stages"]?.arrayValue ?? []).compactMap(Self.stage)
        var automations: [RecordAutomation] = []
        if let raw = object["automations"], var reader = try? InputReader(["automations": raw]) {
            // Checked when it was written: read as a definition is.
            automations = RecordAutomation.read(raw, stages: stages, reader: &reader)
        }
        return RecordType(key: key, label: object["label"]?.stringValue ?? key, pluralLabel: object["plural_label"]?.stringValue ?? key,
                          description: object["description"]?.stringValue, fields: fields, stages: stages, automations: automations, version: object["version"]?.intValue ?? 1,
                          createdAt: time("created_at"), updatedAt: time("updated_at"))
    }

    /// A stored stage (already checked when it was written).
    private static func stage(_ value: JSONValue) -> PipelineStage? {
        guard let object = value.objectValue, let key = object["key"]?.stringValue else { return nil }
        return PipelineStage(key: key, label: object["label"]?.stringValue ?? key, probability: Int(object["probability"]?.intValue ?? 0),
                             outcome: object["outcome"]?.stringValue.flatMap(StageOutcome.init(rawValue:)) ?? .open,
                             requiredFields: object["required_fields"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// A stored field definition (already checked when it was written).
    private static func field(_ value: JSONValue) -> FieldDefinition? {
        guard let object = value.objectValue, let key = object["key"]?.stringValue,
              let kind = object["kind"]?.stringValue.flatMap(FieldKind.init(rawValue:)) else { return nil }
        let choices = (object["choices"]?.arrayValue ?? []).compactMap { choice -> FieldChoice? in
            guard let key = choice.objectValue?["key"]?.stringValue, let label = choice.objectValue?["label"]?.stringValue else { return nil }
            return FieldChoice(key: key, label: label)
        }
        // Not `flatMap { $0.isNull ? nil : $0 }`: JSONValue is ExpressibleByNilLiteral, so that `nil` is `.null`.
        var fallback: JSONValue?
        if let value = object["default"], !value.isNull { fallback = value }
        var field = FieldDefinition(key: key, label: object["label"]?.stringValue ?? key, kind: kind, required: object["required"]?.boolValue ?? false,
                                    unique: object["unique"]?.boolValue ?? false, defaultValue: fallback, choices: choices,
                                    target: object["target"]?.stringValue.flatMap(ReferenceTarget.init), validation: object["validation"]?.stringValue,
                                    retired: object["retired"]?.boolValue ?? false)
        field.rollup = FieldRollup.stored(object["rollup"])
        return field
    }
}
