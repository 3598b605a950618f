import RapportCore
import RapportFlow

/// One deployed version of a process: immutable once stored, so kept parsed in memory.
public struct DeployedProcess: Sendable {
    public let id: String
    /// The BPMN process id, which names every version.
    public let key: String
    public let version: Int64
    public let checksum: String
    public let deployedBy: Actor
    public let deployedAt: Timestamp
    public let process: ProcessDefinition
    public let diagram: DiagramLayout
    public let engine: FlowEngine

    init(id: String, key: String, version: Int64, checksum: String, deployedBy: Actor, deployedAt: Timestamp,
         process: ProcessDefinition, diagram: DiagramLayout) {
        self.id = id
        self.key = key
        self.version = version
        self.checksum = checksum
        self.deployedBy = deployedBy
        self.deployedAt = deployedAt
        self.process = process
        self.diagram = diagram
        self.engine = FlowEngine(process)
    }

    /// The definition; with `model`, its nodes, flows and diagram (for drawing it).
    public func json(model: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id), "key": .string(key), "version": .integer(version), "name": process.name.map(JSONValue.string) ?? .null,
            "checksum": .string(checksum), "deployed_by": deployedBy.json, "deployed_at": .string(deployedAt.rfc3339),
        ]
        guard model else { return .object(object) }
        object["nodes"] = .array(process.nodes.map { node in
            var item: JSONObject = ["id": .string(node.id), "name": node.name.map(JSONValue.string) ?? .null, "type": .string(node.element)]
            if let parent = node.parent { item["parent"] = .string(process.nodes[parent].id) }
            if let event = node.kind.eventName {
                item["event"] = .string(event)
            } else if case .serviceTask = node.kind, ["endEvent", "intermediateThrowEvent"].contains(node.element) {
                // A message throw or end event: a worker sends the message.
                item["event"] = "message"
            }
            if case .boundaryEvent(_, let activity, let interrupting) = node.kind {
                item["attached_to"] = .string(process.nodes[activity].id)
                item["interrupting"] = .bool(interrupting)
            }
            if let bounds = diagram.shapes[node.id] {
                item["bounds"] = ["x": .double(bounds.x), "y": .double(bounds.y), "width": .double(bounds.width), "height": .double(bounds.height)]
            }
            return .object(item)
        })
        object["flows"] = .array(process.flows.map { flow in
            var item: JSONObject = ["id": .string(flow.id), "name": flow.name.map(JSONValue.string) ?? .null,
                                    "source": .string(process.nodes[flow.source].id), "target": .string(process.nodes[flow.target].id),
                                    "condition": flow.condition.map { .string($0.source) } ?? .null]
            if let points = diagram.edges[flow.id] {
                item["waypoints"] = .array(points.map { ["x": .double($0.x), "y": .double($0.y)] })
            }
            return .object(item)
        })
        return .object(object)
    }
}

/// A process of a deployed file: the version it is now, and whether the file made it.
public struct ProcessDeployment: Sendable {
    public let process: DeployedProcess
    /// False when the newest version already was this file.
    public let created: Bool
}

/// A running or ended instance of a deployed process.
public struct ProcessInstanceRecord: Sendable {
    public var id: String
    public var definitionID: String
    public var key: String
    public var status: FlowInstanceStatus
    public var customerID: String?
    public var businessKey: String?
    public var state: FlowInstance
    public var stepCount: Int64
    public var startedBy: Actor
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var endedAt: Timestamp?
    public var version: Int64
    /// The instance whose call activity started this one, and its token there.
    public var calledBy: CallingToken?

    public var etag: String { "\"\(id)-v\(version)\"" }

    /// The instance with its tokens named by node, as the API shows it; with `timers`, the timers
    /// its tokens wait for too.
    public func json(in deployed: DeployedProcess, timers: [ProcessTimerRecord]? = nil) -> JSONValue {
        let nodes = deployed.process.nodes
        var shown: JSONObject = [
            "id": .string(id), "process": .string(key), "process_version": .integer(deployed.version), "definition_id": .string(definitionID),
            "status": .string(status.rawValue), "customer_id": customerID.map(JSONValue.string) ?? .null,
            "business_key": businessKey.map(JSONValue.string) ?? .null,
            "variables": .object(JSONObject(sortingKeysOf: state.variables)),
            "tokens": .array(state.tokens.map { token in
                var item: JSONObject = ["id": .integer(Int64(token.id)), "node": .string(nodes[token.node].id)]
                if let scope = token.scope { item["scope"] = .integer(Int64(scope)) }
                let locals = token.locals.filter { !$0.key.hasPrefix("$") }
                if !locals.isEmpty { item["locals"] = .object(JSONObject(sortingKeysOf: locals)) }
                switch token.state {
                case .waiting: item["state"] = "waiting"
                case .joining(let flow):
                    item["state"] = "joining"
                    item["flow"] = .string(deployed.process.flows[flow].id)
                case .incident(let message):
                    item["state"] = "incident"
                    item["incident"] = .string(message)
                }
                return .object(item)
            }),
            "started_by": startedBy.json, "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
            "ended_at": endedAt.map { .string($0.rfc3339) } ?? .null, "version": .integer(version),
            "called_by": calledBy.map { ["instance_id": .string($0.instanceID), "token": .integer($0.token)] } ?? .null,
        ]
        if let timers { shown["timers"] = .array(timers.map(\.json)) }
        return .object(shown)
    }
}

/// A timer an instance's token waits for (a catch event's, or a boundary event's on its activity).
public struct ProcessTimerRecord: Sendable, Equatable {
    public var token: Int64
    /// The timer event's id.
    public var node: String
    public var dueAt: Timestamp

    public var json: JSONValue {
        ["token": .integer(token), "node": .string(node), "due_at": .string(dueAt.rfc3339)]
    }
}

/// The call activity's token an instance was started for.
public struct CallingToken: Sendable, Equatable {
    public var instanceID: String
    public var token: Int64

    public init(instanceID: String, token: Int64) {
        self.instanceID = instanceID
        self.token = token
    }
}

/// One entry of an instance's history.
public struct ProcessStepRecord: Sendable, Equatable {
    public var position: Int64
    public var kind: String
    public var node: String
    public var token: Int64
    public var at: Timestamp
    public var actor: Actor

    public var json: JSONValue {
        ["position": .integer(position), "kind": .string(kind), "node": .string(node), "token": .integer(token),
         "at": .string(at.rfc3339), "actor": actor.json]
    }
}

/// Work a service task offers to job workers.
public struct ProcessJob: Sendable, Equatable {
    public var id: String
    public var instanceID: String
    public var token: Int64
    public var node: String
    public var type: String
    public var retries: Int64
    public var worker: String?
    public var lockedUntil: Timestamp?
    public var availableAt: Timestamp
    public var lastError: String?
    public var createdAt: Timestamp
    /// For Rapport's own actions: `{"inputs": {…}, "result": "variable"}`.
    public var payload: JSONValue? = nil

    public var json: JSONValue {
        ["id": .string(id), "instance_id": .string(instanceID), "token": .integer(token), "node": .string(node), "type": .string(type),
         "retries": .integer(retries), "worker": worker.map(JSONValue.string) ?? .null,
         "locked_until": lockedUntil.map { .string($0.rfc3339) } ?? .null, "available_at": .string(availableAt.rfc3339),
         "last_error": lastError.map(JSONValue.string) ?? .null, "created_at": .string(createdAt.rfc3339)]
    }
}

/// What a message did: the instances whose tokens it reached, and those its start events began.
public struct MessageCorrelation: Sendable {
    public var correlated: [ProcessInstanceRecord] = []
    public var started: [ProcessInstanceRecord] = []

    public init() {}
}

/// What a signal broadcast did: the instances whose tokens caught it, and those its start events began.
public struct SignalBroadcast: Sendable {
    public var caught: [ProcessInstanceRecord] = []
    public var started: [ProcessInstanceRecord] = []

    public init() {}
}

/// A job handed to a worker, with what it needs to do it.
public struct ActivatedJob: Sendable {
    public var job: ProcessJob
    public var process: String
    public var customerID: String?
    public var variables: [String: JSONValue]

    public var json: JSONValue {
        guard case .object(var object) = job.json else { return job.json }
        object["process"] = .string(process)
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["variables"] = .object(JSONObject(sortingKeysOf: variables))
        return .object(object)
    }
}

/// A token stopped by a failure, for an admin to fix and retry.
public struct ProcessIncident: Sendable, Equatable {
    public enum Status: String, Sendable { case open, resolved }

    public var id: String
    public var instanceID: String
    public var token: Int64
    public var node: String
    public var message: String
    public var status: Status
    public var createdAt: Timestamp
    public var resolvedAt: Timestamp?
    public var resolvedBy: Actor?

    public var json: JSONValue {
        ["id": .string(id), "instance_id": .string(instanceID), "token": .integer(token), "node": .string(node), "message": .string(message),
         "status": .string(status.rawValue), "created_at": .string(createdAt.rfc3339),
         "resolved_at": resolvedAt.map { .string($0.rfc3339) } ?? .null, "resolved_by": resolvedBy?.json ?? .null]
    }
}

/// What starting an instance takes.
public struct ProcessStart: Sendable {
    public var key: String
    public var version: Int64?
    public var variables: [String: JSONValue]
    public var customerID: String?
    public var businessKey: String?

    public init(key: String, version: Int64? = nil, variables: [String: JSONValue] = [:], customerID: String? = nil, businessKey: String? = nil) {
        self.key = key
        self.version = version
        self.variables = variables
        self.customerID = customerID
        self.businessKey = businessKey
    }
}

/// Which instances a list shows.
public struct ProcessInstanceQuery: Sendable, Equatable {
    public var key: String?
    public var status: FlowInstanceStatus?
    public var customerID: String?

    public init(key: String? = nil, status: FlowInstanceStatus? = nil, customerID: String? = nil) {
        self.key = key
        self.status = status
        self.customerID = customerID
    }
}

/// The user task a Rapport task stands for, with its form and what each field shows first.
public struct UserTaskForm: Sendable {
    public let taskID: String
    public let instance: ProcessInstanceRecord
    public let process: DeployedProcess
    /// The user task's node and the token waiting there.
    public let node: FlowNode
    public let token: Int
    /// Nil: the task has no form (done, it goes on with no variables).
    public let form: TaskForm?
    /// What each field shows first: its initial value over the token's variables.
    public let values: [String: JSONValue]
}
