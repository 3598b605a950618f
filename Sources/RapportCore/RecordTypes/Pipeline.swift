/// How a stage of a pipeline ends a record's way through it, if it does.
public enum StageOutcome: String, Sendable, CaseIterable {
    /// On the way (the first stage is always open).
    case open
    case won
    case lost
}

/// One stage of a record type's pipeline (a deal's `qualified` → `proposal` → `won`): the chance
/// a record in it comes to a good end (for the weighted forecast), whether it is an end, and the
/// fields a record must have before it may stand in it.
public struct PipelineStage: Sendable, Equatable {
    public var key: String
    public var label: String
    /// 0 to 100.
    public var probability: Int
    public var outcome: StageOutcome
    public var requiredFields: [String]

    public init(key: String, label: String, probability: Int, outcome: StageOutcome = .open, requiredFields: [String] = []) {
        self.key = key
        self.label = label
        self.probability = probability
        self.outcome = outcome
        self.requiredFields = requiredFields
    }

    public static let maxStages = 50

    public var json: JSONValue {
        ["key": .string(key), "label": .string(label), "probability": .integer(Int64(probability)), "outcome": .string(outcome.rawValue),
         "required_fields": .array(requiredFields.map(JSONValue.string))]
    }

    /// Reads the stages of a definition (`stages: [{"key", "label", "probability", "outcome", "required_fields"}]`),
    /// checking keys, probabilities and that every required field is a field of the type.
    static func readStages(_ raw: JSONValue, fields: [FieldDefinition], reader: inout InputReader) -> [PipelineStage] {
        guard let items = raw.arrayValue, items.count <= maxStages else {
            reader.fail("stages", "expected a list of at most \(maxStages) stages")
            return []
        }
        var stages: [PipelineStage] = []
        for (index, item) in items.enumerated() {
            let path = "stages[\(index)]"
            do throws(ValidationFailure) {
                var stage = try InputReader(item, path: reader.field(path))
                let key = stage.string("key", required: true, maxLength: 40)
                if let key, !RecordTypeKey.isValid(key) { stage.fail("key", "must be lower-case letters, digits and _, starting with a letter") }
                if let key, stages.contains(where: { $0.key == key }) { stage.fail("key", "\(key) is already a stage") }
                let label = stage.string("label", required: true, maxLength: 200)
                let outcome: StageOutcome = stage.enumeration("outcome") ?? .open
                let defaultProbability: Int64 = outcome == .won ? 100 : outcome == .lost ? 0 : 50
                let probability = stage.integer("probability", in: 0...100, message: "must be a whole number from 0 to 100") ?? defaultProbability
                let required = stage.stringList("required_fields", maxCount: RecordType.maxFields, maxLength: 40) ?? []
                for (position, name) in required.enumerated() where !fields.contains(where: { $0.key == name && !$0.retired }) {
                    stage.fail("required_fields[\(position)]", "\(name) is not a field of this type")
                }
                if index == 0, outcome != .open { stage.fail("outcome", "the first stage, where records start, must be open") }
                try stage.finish()
                stages.append(PipelineStage(key: key ?? "", label: label ?? "", probability: Int(probability), outcome: outcome,
                                            requiredFields: required))
            } catch {
                reader.absorb(error)
            }
        }
        return stages
    }
}

extension RecordType {
    public func stage(_ key: String) -> PipelineStage? { stages.first { $0.key == key } }

    /// Where a new record starts: the first stage, or none when the type has no pipeline.
    public var firstStage: PipelineStage? { stages.first }

    /// The fields a record in `stageKey` lacks, each named as the problem says it.
    public func missingFields(_ fields: JSONObject, inStage stageKey: String?) -> [FieldIssue] {
        guard let stageKey, let stage = stage(stageKey) else { return [] }
        return stage.requiredFields.filter { (fields[$0] ?? .null).isNull }.map {
            FieldIssue(field: "fields.\($0)", message: "is required in the stage \(stage.label)")
        }
    }

    /// The stage a record asks for (or keeps, or starts in), checked against the pipeline; nil when
    /// the type has none.
    public func checkedStage(_ asked: String?, current: String?) throws(ValidationFailure) -> String? {
        guard !stages.isEmpty else {
            if asked != nil { throw ValidationFailure(field: "stage", message: "\(key) has no pipeline") }
            return nil
        }
        guard let asked else { return current ?? firstStage?.key }
        guard stage(asked) != nil else {
            let keys = stages.prefix(10).map(\.key).joined(separator: ", ")
            throw ValidationFailure(field: "stage", message: "\(asked) is not a stage of \(key) (\(keys))")
        }
        return asked
    }
}

/// A record's stay in one stage: when it came, when it left (nil while it stands there), and who
/// moved it in.
public struct RecordStageVisit: Sendable, Equatable {
    public var stage: String
    public var enteredAt: Timestamp
    public var leftAt: Timestamp?
    public var movedBy: Actor

    public init(stage: String, enteredAt: Timestamp, leftAt: Timestamp?, movedBy: Actor) {
        self.stage = stage
        self.enteredAt = enteredAt
        self.leftAt = leftAt
        self.movedBy = movedBy
    }

    /// Whole seconds in the stage, until it left or until `now`.
    public func seconds(at now: Timestamp) -> Int64 {
        max(0, ((leftAt ?? now).microseconds - enteredAt.microseconds) / 1_000_000)
    }

    public func json(at now: Timestamp) -> JSONValue {
        ["stage": .string(stage), "entered_at": .string(enteredAt.rfc3339), "left_at": leftAt.map { .string($0.rfc3339) } ?? .null,
         "seconds": .integer(seconds(at: now)), "moved_by": movedBy.json]
    }
}
