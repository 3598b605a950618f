import RapportCore
import SQLKit

extension SQLRow {
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func int64(_ column: String) throws -> Int64 {
        try decode(column: column, as: Int64.self)
    }

    func timestamp(_ column: String) throws -> Timestamp {
        Timestamp(microseconds: try int64(column))
    }

    func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try decode(column: column, as: Int64?.self).map(Timestamp.init(microseconds:))
    }

    /// A JSON object stored as text; an unreadable value reads as empty rather than failing the row.
    func jsonObject(_ column: String) throws -> JSONObject {
        (try? JSONParser.parse(try string(column)))?.objectValue ?? JSONObject()
    }
}

/// Decodes a stored enumeration, failing loudly on values this version does not know.
func storedEnum<E: RawRepresentable>(_ raw: String, as type: E.Type = E.self) throws -> E where E.RawValue == String {
    guard let value = E(rawValue: raw) else {
        throw StoreError(.unavailable, "stored value \"\(raw)\" is not a valid \(E.self)")
    }
    return value
}

extension SQLRow {
    func double(_ column: String) throws -> Double {
        try decode(column: column, as: Double.self)
    }

    /// A JSON list of strings stored as text.
    func stringList(_ column: String) throws -> [String] {
        ((try? JSONParser.parse(try string(column)))?.arrayValue ?? []).compactMap(\.stringValue)
    }
}

extension Array where Element == String {
    /// The list as JSON text, for a column `stringList` reads.
    var jsonText: String { JSONValue.array(map(JSONValue.string)).jsonString }
}
