import RapportCore
import SQLKit

/// How a record is stored in `records`.
enum RecordRows {
    static let columns: SQLQueryString = "SELECT id, type_key, customer_id, fields, stage, stage_entered_at, version, created_at, updated_at FROM records"

    static func decode(_ row: any SQLRow) throws -> BusinessRecord {
        BusinessRecord(id: try row.string("id"), typeKey: try row.string("type_key"), customerID: try row.optionalString("customer_id"),
                       fields: try row.jsonObject("fields"), stage: try row.optionalString("stage"),
                       stageEnteredAt: try row.optionalTimestamp("stage_entered_at"), version: try row.int64("version"), createdAt: try row.timestamp("created_at"),
                       updatedAt: try row.timestamp("updated_at"))
    }
}
