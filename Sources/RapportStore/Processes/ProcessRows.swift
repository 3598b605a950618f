import RapportCore
import RapportFlow
import SQLKit

/// How instances, jobs and incidents are kept.
enum ProcessRows {
    static let instanceColumns: SQLQueryString = """
        SELECT id, definition_id, process_key, status, customer_id, business_key, state, step_count, started_by, created_at, updated_at,
               ended_at, version, parent_instance_id, parent_token FROM process_instances
        """

    static func decodeInstance(_ row: any SQLRow, in deployed: DeployedProcess) throws -> ProcessInstanceRecord {
        let status: FlowInstanceStatus = try storedEnum(try row.string("status"))
        let id = try row.string("id")
        guard let stored = try? JSONParser.parse(try row.string("state")),
              let state = FlowInstance(stored: stored, status: status, nodeCount: deployed.process.nodes.count,
                                       flowCount: deployed.process.flows.count) else {
            throw StoreError(.unavailable, "the stored state of process instance \(id) does not read")
        }
        return ProcessInstanceRecord(
            id: id, definitionID: try row.string("definition_id"), key: try row.string("process_key"), status: status,
            customerID: try row.optionalString("customer_id"), businessKey: try row.optionalString("business_key"), state: state,
            stepCount: try row.int64("step_count"),
            startedBy: Actor(json: try? JSONParser.parse(try row.string("started_by"))) ?? .system,
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"), endedAt: try row.optionalTimestamp("ended_at"),
            version: try row.int64("version"),
            calledBy: try row.optionalString("parent_instance_id").map { CallingToken(instanceID: $0, token: try row.int64("parent_token")) })
    }

    static let jobColumns: SQLQueryString = """
        SELECT id, instance_id, token, node, type, retries, worker, locked_until, available_at, last_error, created_at, payload FROM process_jobs
        """

    static func decodeJob(_ row: any SQLRow) throws -> ProcessJob {
        ProcessJob(id: try row.string("id"), instanceID: try row.string("instance_id"), token: try row.int64("token"),
                   node: try row.string("node"), type: try row.string("type"), retries: try row.int64("retries"),
                   worker: try row.optionalString("worker"), lockedUntil: try row.optionalTimestamp("locked_until"),
                   availableAt: try row.timestamp("available_at"), lastError: try row.optionalString("last_error"),
                   createdAt: try row.timestamp("created_at"),
                   payload: try row.optionalString("payload").flatMap { try? JSONParser.parse($0) })
    }

    static let incidentColumns: SQLQueryString = """
        SELECT id, instance_id, token, node, message, status, created_at, resolved_at, resolved_by FROM process_incidents
        """

    static func decodeIncident(_ row: any SQLRow) throws -> ProcessIncident {
        ProcessIncident(id: try row.string("id"), instanceID: try row.string("instance_id"), token: try row.int64("token"),
                        node: try row.string("node"), message: try row.string("message"), status: try storedEnum(try row.string("status")),
                        createdAt: try row.timestamp("created_at"), resolvedAt: try row.optionalTimestamp("resolved_at"),
                        resolvedBy: try row.optionalString("resolved_by").flatMap { Actor(json: try? JSONParser.parse($0)) })
    }
}
