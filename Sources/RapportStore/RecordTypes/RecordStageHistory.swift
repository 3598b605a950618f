import RapportCore
import SQLKit

/// Every stage a record stood in: entered, left, by whom it was moved.
enum RecordStageHistory {
    static func enter(_ stage: String, record id: String, at time: Timestamp, actor: Actor, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO record_stage_history (id, record_id, stage, entered_at, left_at, actor)
            VALUES (\(bind: tx.newID("rsh")), \(bind: id), \(bind: stage), \(bind: time.microseconds), NULL, \(bind: actor.json.jsonString))
            """)
    }

    static func leave(record id: String, at time: Timestamp, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            UPDATE record_stage_history SET left_at = \(bind: time.microseconds) WHERE record_id = \(bind: id) AND left_at IS NULL
            """)
    }

    static func decode(_ row: any SQLRow) throws -> RecordStageVisit {
        let actor = Actor(json: try? JSONParser.parse(try row.string("actor"))) ?? .system
        return RecordStageVisit(stage: try row.string("stage"), enteredAt: try row.timestamp("entered_at"),
                                leftAt: try row.optionalTimestamp("left_at"), movedBy: actor)
    }
}
