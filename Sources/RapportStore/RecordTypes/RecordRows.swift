import RapportCore
import SQLKit

/// How a record is stored in `records`. Its fields are kept in the database's binary JSON
/// (SQLite's JSONB, PostgreSQL's jsonb), so filters and aggregates read members without parsing
/// text for every row; they are read back as JSON text.
enum RecordRows {
    static func columns(_ flavor: SQLFlavor) -> SQLQueryString {
        "SELECT id, type_key, customer_id, \(fieldsColumn(flavor)), stage, stage_entered_at, version, created_at, updated_at FROM records"
    }

    /// `fields` as JSON text, under its own name.
    static func fieldsColumn(_ flavor: SQLFlavor) -> SQLQueryString {
        flavor == .sqlite ? "json(fields) AS fields" : "CAST(fields AS text) AS fields"
    }

    /// The value to store in `fields`.
    static func stored(_ fields: JSONObject, _ flavor: SQLFlavor) -> SQLQueryString {
        let text = JSONValue.object(fields).jsonString
        return flavor == .sqlite ? "jsonb(\(bind: text))" : "CAST(\(bind: text) AS jsonb)"
    }

    static func decode(_ row: any SQLRow) throws -> BusinessRecord {
        BusinessRecord(id: try row.string("id"), typeKey: try row.string("type_key"), customerID: try row.optionalString("customer_id"),
                       fields: try row.jsonObject("fields"), stage: try row.optionalString("stage"),
                       stageEnteredAt: try row.optionalTimestamp("stage_entered_at"), version: try row.int64("version"),
                       createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
