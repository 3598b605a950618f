import RapportCore

/// What a call activity calls, and the variables it passes in and takes back.
public struct CallDefinition: Sendable {
    /// The key (BPMN process id) of the process called; its newest version runs.
    public let processKey: String
    /// The variables the called instance starts with; nil: every variable the token sees.
    public let inputs: [VariableMapping]?
    /// The variables taken back when it ends, over its variables; nil: all of them.
    public let outputs: [VariableMapping]?
}

/// Work a service task asks Rapport itself to do.
public struct BuiltInAction: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A note on the instance's customer: `body` (text), `pinned` (bool, optional).
        case note = "rapport.note"
        /// A handoff about the instance's customer: `reason` (text), `kind` (a handoff kind,
        /// optional: `other`), `from_department` and `to_department` (id or key; a kind's own route
        /// when absent), `sla_minutes` (optional).
        case handoff = "rapport.handoff"
        /// Changes a record: `record` (its id), `fields` (an object; null clears a field), `stage`.
        case updateRecord = "rapport.record.update"
        /// Changes a customer (the instance's, or `customer`): `attributes` (merged; null removes
        /// one), `lifecycle_stage`, `company`, `owner_id` — as `PATCH /v1/customers/{id}` takes them.
        case updateCustomer = "rapport.customer.update"
        /// Emails the instance's customer from an email channel: `channel` (its id), `subject`,
        /// `text`, `to` (an address; the customer's first email address when absent). Queued in the
        /// instance's transaction (the mail queue sends it, at least once) and on the customer's timeline.
        /// `purpose` (service, marketing, research): the customer's consent decides, as for `message`.
        case email = "rapport.email"
        /// Writes `text` (and `subject`) to the customer: into `conversation` through its channel
        /// (a threaded email, a chat message, an outbound message), or on `channel` to the
        /// instance's customer (an outbound message the channel's integration delivers). With
        /// `purpose` marketing or research, only where the customer's consent says yes; service
        /// unless it says no; refused, nothing is sent and the step goes on.
        case message = "rapport.message"
        /// Calls a webhook: POSTs `body` (JSON) to the sink of the webhook subscription `webhook`,
        /// signed with its secret (Standard Webhooks), the job's id as `webhook-id` on every attempt.
        case webhook = "rapport.webhook"
        /// Publishes `body` (JSON) to RabbitMQ with `routing_key`, to `exchange` (the server's
        /// publishing exchange when absent), persistent and mandatory, the job's id as message id.
        case amqp = "rapport.amqp"

        /// Done outside the instance's transaction, at least once, by Rapport's own job worker:
        /// the token waits for it as for a job, retried with backoff, then an incident.
        public var isExternal: Bool { self == .webhook || self == .amqp }

        /// The inputs it needs, and those it may take.
        public var required: Set<String> {
            switch self {
            case .note: ["body"]
            case .handoff: ["reason"]
            case .updateRecord: ["record"]
            case .updateCustomer: []
            case .email: ["channel", "subject", "text"]
            case .message: ["text"]
            case .webhook: ["webhook"]
            case .amqp: ["routing_key"]
            }
        }

        public var allowed: Set<String> {
            switch self {
            case .note: ["body", "pinned"]
            case .handoff: ["reason", "kind", "from_department", "to_department", "sla_minutes"]
            case .updateRecord: ["record", "fields", "stage"]
            case .updateCustomer: ["customer", "attributes", "lifecycle_stage", "company", "owner_id"]
            case .email: ["channel", "subject", "text", "to", "purpose"]
            case .message: ["conversation", "channel", "text", "subject", "purpose"]
            case .webhook: ["webhook", "body"]
            case .amqp: ["routing_key", "body", "exchange"]
            }
        }
    }

    public let kind: Kind
    public let inputs: [VariableMapping]
    /// The variable the id of what it made or changed is put in, if any.
    public let resultVariable: String?
}

/// `target = source`: a variable set from a CEL expression.
public struct VariableMapping: Sendable {
    public let target: String
    public let source: FlowExpression
}

/// `variable = expression`, one line of a script task.
public struct ScriptAssignment: Sendable {
    public let variable: String
    public let expression: FlowExpression
}

/// The work a service task hands to job workers.
public struct JobDefinition: Sendable, Equatable {
    /// Workers fetch jobs by this type.
    public let type: String
    /// Attempts before a failure becomes an incident.
    public let retries: Int

    public init(type: String, retries: Int) {
        self.type = type
        self.retries = retries
    }
}

/// Who a user task is for, and what they fill in to complete it.
public struct UserTaskDefinition: Sendable, Equatable {
    public let assignee: String?
    public let candidateGroups: [String]
    /// How long after the task opens it is due.
    public let dueAfter: ISODuration?
    /// The form the person fills in; its fields are the variables the task is completed with.
    public let form: TaskForm?

    public init(assignee: String?, candidateGroups: [String], dueAfter: ISODuration?, form: TaskForm? = nil) {
        self.assignee = assignee
        self.candidateGroups = candidateGroups
        self.dueAfter = dueAfter
        self.form = form
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.assignee == rhs.assignee && lhs.candidateGroups == rhs.candidateGroups && lhs.dueAfter == rhs.dueAfter
            && lhs.form?.fields.map(\.key) == rhs.form?.fields.map(\.key)
    }
}
