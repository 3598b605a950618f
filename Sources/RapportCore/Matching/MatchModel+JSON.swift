extension MatchModel {
    /// The format tag written with every stored model.
    public static let jsonFormat = "rapport.match_model.v1"

    /// The model as JSON, for the store to keep.
    public var json: JSONValue {
        var object = JSONObject()
        object["format"] = .string(Self.jsonFormat)
        object["match_probability"] = .double(matchProbability)
        object["estimate_strength"] = .double(estimateStrength)
        object["fields"] = .array(fields.map { field in
            var entry = JSONObject()
            entry["name"] = .string(field.name)
            entry["grades"] = .array(field.grades.map(JSONValue.string))
            entry["m"] = .array(field.estimatedM.map(JSONValue.double))
            entry["u"] = .array(field.estimatedU.map(JSONValue.double))
            entry["confirmed"] = .array(field.confirmed.map(JSONValue.double))
            entry["rejected"] = .array(field.rejected.map(JSONValue.double))
            return .object(entry)
        })
        return .object(object)
    }

    /// Reads a model written by `json`.
    public init(json: JSONValue) throws(MatchConfigurationError) {
        guard let object = json.objectValue, object["format"]?.stringValue == Self.jsonFormat else {
            throw MatchConfigurationError(problems: ["not a \(Self.jsonFormat) document"])
        }
        guard let lambda = object["match_probability"]?.doubleValue, lambda > 0, lambda < 1 else {
            throw MatchConfigurationError(problems: ["match_probability must lie strictly between 0 and 1"])
        }
        let strength = object["estimate_strength"]?.doubleValue ?? 100
        guard strength >= 0, let entries = object["fields"]?.arrayValue else {
            throw MatchConfigurationError(problems: ["estimate_strength and fields are required"])
        }
        var fields: [FieldModel] = []
        for (position, entry) in entries.enumerated() {
            fields.append(try Self.field(entry, position: position))
        }
        self.init(matchProbability: lambda, fields: fields, estimateStrength: strength)
    }

    private static func field(_ entry: JSONValue, position: Int) throws(MatchConfigurationError) -> FieldModel {
        let problem = MatchConfigurationError(problems: ["fields[\(position)] is malformed"])
        guard let object = entry.objectValue, let name = object["name"]?.stringValue,
              let grades = object["grades"]?.arrayValue?.compactMap(\.stringValue), !grades.isEmpty else { throw problem }
        func numbers(_ key: String, positive: Bool) throws(MatchConfigurationError) -> [Double] {
            guard let values = object[key]?.arrayValue?.compactMap(\.doubleValue), values.count == grades.count,
                  values.allSatisfy({ $0.isFinite && (positive ? $0 > 0 : $0 >= 0) }) else { throw problem }
            return values
        }
        return FieldModel(name: name, grades: grades, estimatedM: try numbers("m", positive: true),
                          estimatedU: try numbers("u", positive: true),
                          confirmed: try numbers("confirmed", positive: false),
                          rejected: try numbers("rejected", positive: false))
    }
}
