import RapportCore
import RapportFlow

/// BPMN processes: deployed versions, instances run by `FlowEngine` with their state, history and
/// effects committed in the caller's transaction, jobs for workers, timers and incidents.
public protocol ProcessStore: Sendable {
    /// Stores each process of the file as the next version of its key, unless the newest version
    /// is the same file; `rapport.process_definition.deployed` for each new one.
    func deploy(_ document: BPMNDocument, xml: String, by actor: Actor, in tx: WriteTransaction) async throws -> [ProcessDeployment]

    /// The newest version of each process, by key.
    func definitions(limit: Int, cursor: String?) async throws -> Page<DeployedProcess>

    /// The deployed version with this id (read in `tx` when given).
    func definition(id: String, in tx: WriteTransaction?) async throws -> DeployedProcess?

    /// A version of a process (the newest when `version` is nil).
    func definition(key: String, version: Int64?) async throws -> DeployedProcess?

    /// Starts an instance and runs it until it waits; `rapport.process.started`.
    func startInstance(_ start: ProcessStart, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    func instance(_ id: String) async throws -> (ProcessInstanceRecord, DeployedProcess)?

    func instances(_ query: ProcessInstanceQuery, limit: Int, cursor: String?) async throws -> Page<(ProcessInstanceRecord, DeployedProcess)>

    /// An instance's steps in order.
    func history(of instanceID: String, limit: Int, cursor: String?) async throws -> Page<ProcessStepRecord>

    /// Ends every token; their jobs and timers withdrawn; `rapport.process.cancelled`.
    func cancelInstance(_ id: String, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// Moves a running instance to another version of its process, each token to the node of the
    /// same id (which must be the same kind of element in the same subprocess); refused
    /// (`conflict`) naming the token that cannot move. `rapport.process.migrated`.
    func migrateInstance(_ id: String, toVersion version: Int64, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// Sets variables of a running instance (to fix what an incident stopped on).
    func setVariables(_ id: String, _ variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// Locks up to `limit` available jobs of `type` for `worker` until `lock` from now.
    func activateJobs(type: String, worker: String, limit: Int, lock: Duration, in tx: WriteTransaction) async throws -> [ActivatedJob]

    /// When the next job of one of these types is free to take (now or later); nil when none waits.
    func nextJobAvailable(types: [String]) async throws -> Timestamp?

    /// Keeps `worker`'s locks on these jobs until `until`: a worker still at work on them (a job
    /// another worker took meanwhile, or one done, is left alone).
    func extendJobLocks(_ ids: [String], worker: String, until: Timestamp, in tx: WriteTransaction) async throws

    /// The job is done: its variables merged, the instance goes on.
    func completeJob(_ id: String, variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// The job failed: offered again after `retryAfter` while `retries` (default: one less than
    /// before) stays above zero, else an incident. Returns the job as it is now (nil once an incident).
    func failJob(_ id: String, message: String, retries: Int64?, retryAfter: Duration, by actor: Actor,
                 in tx: WriteTransaction) async throws -> ProcessJob?

    /// The job ended in a business error with this code: the nearest error boundary event around
    /// its task catches it (the variables merged), else an incident.
    func throwJobError(_ id: String, code: String, message: String?, variables: [String: JSONValue], by actor: Actor,
                       in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// When the next timer is due; nil when none waits.
    func nextTimerDue() async throws -> Timestamp?

    /// The timers the instance's tokens wait for, soonest first.
    func timers(of instanceID: String) async throws -> [ProcessTimerRecord]

    /// Fires the timers due at `now`, at most `limit`; how many fired.
    func fireDueTimers(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int

    func incidents(status: ProcessIncident.Status?, limit: Int, cursor: String?) async throws -> Page<ProcessIncident>

    /// Marks the incident resolved and lets its token enter its node again.
    func retryIncident(_ id: String, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord

    /// A Rapport task a user task opened was done (`done`) or cancelled by a person: the token goes
    /// on, or stops in an incident. Nothing for a task no process waits for.
    func userTaskEnded(_ taskID: String, done: Bool, by actor: Actor, in tx: WriteTransaction) async throws

    /// The form of the user task a Rapport task stands for; nil when no process waits for the task.
    func userTaskForm(_ taskID: String) async throws -> UserTaskForm?

    /// Completes a user task with a person's values: checked against its form (refused naming the
    /// first wrong field), the Rapport task done, the token on with them — in one transaction.
    func completeUserTask(_ taskID: String, variables: [String: JSONValue], expectedVersion: Int64?, by actor: Actor,
                          in tx: WriteTransaction) async throws -> TaskItem

    /// CRM events from the log: each delivered to the tokens waiting for a message of its type
    /// keyed by its subject, and starting an instance at each conditional start event (of each
    /// process's newest version) its condition matches, about the event's customer when its
    /// subject is one; events of processes do neither. How many deliveries and starts.
    func onEvents(_ events: [Event], in tx: WriteTransaction) async throws -> Int

    /// Correlates a message: every token waiting for a message of this name with this key goes on,
    /// with the variables merged, and each process whose newest version has a message start event
    /// for it starts (about the customer the key names, else with the key as business key).
    func correlateMessage(_ name: String, correlationKey: String, variables: [String: JSONValue], by actor: Actor,
                          in tx: WriteTransaction) async throws -> MessageCorrelation

    /// Broadcasts a signal: every token waiting for it goes on, with the variables merged, and each
    /// process whose newest version has a signal start event for it starts.
    func broadcast(_ signal: String, variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> SignalBroadcast

    /// Whether some token waits for a CRM event as its message.
    func hasEventSubscriptions() async throws -> Bool

    /// Whether the newest version of some process has a conditional start event.
    func hasEventStarts() async throws -> Bool

    /// The store's time.
    func now() -> Timestamp
}

/// The SQL implementation of `ProcessStore`, on SQLite or PostgreSQL.
public struct SQLProcessStore: ProcessStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func now() -> Timestamp { clock() }
}
