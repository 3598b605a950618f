import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func startInstance(_ start: ProcessStart, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        guard let deployed = try await newestDefinition(key: start.key, version: start.version, in: tx) else {
            let what = start.version.map { "version \($0) of process \(start.key)" } ?? "process \(start.key)"
            throw StoreError(.invalidReference, "\(what) is not deployed", field: start.version == nil ? "process" : "version")
        }
        guard !deployed.process.noneStarts.isEmpty else {
            throw StoreError(.invalidReference, "process \(start.key) has no none start event: it starts only on CRM events, messages or signals",
                             field: "process")
        }
        var customerID: String?
        if let asked = start.customerID {
            customerID = try await store.customers.subject(customerID: asked, conversationID: nil, in: tx).customerID
        }
        return try await begin(deployed, from: nil, variables: start.variables, customerID: customerID, businessKey: start.businessKey,
                               by: actor, in: tx)
    }

    public func onEvents(_ events: [Event], in tx: WriteTransaction) async throws -> Int {
        let candidates = events.filter { $0.type.hasPrefix("rapport.") && !Self.isProcessEvent($0) }
        guard !candidates.isEmpty else { return 0 }
        let triggered = try await newestDefinitions(in: tx) { !$0.eventStarts.isEmpty }
        // One look for the whole window; once an event moved or started an instance, which may
        // wait for the next events anew, a look per event.
        let waiting = try await subscribedPairs(for: candidates, in: tx)
        var moved = false
        var count = 0
        for event in candidates {
            if moved || waiting.contains(Self.pair(event.type, event.subject)) {
                let delivered = try await deliver(event, in: tx)
                count += delivered
                moved = moved || delivered > 0
            }
            // A version starts on what happened after it was deployed.
            for deployed in triggered where event.time >= deployed.deployedAt {
                for start in deployed.process.eventStarts {
                    guard case .eventStart(let condition) = deployed.process.nodes[start].kind, condition.matches(event) else { continue }
                    var customerID: String?
                    if event.subject.hasPrefix("cus_") {
                        customerID = try? await store.customers.subject(customerID: event.subject, conversationID: nil, in: tx).customerID
                    }
                    let variables: [String: JSONValue] = ["event": Self.variable(of: event)]
                    _ = try await Self.$causingEvent.withValue(event.sequence) {
                        try await begin(deployed, from: start, variables: variables, customerID: customerID, businessKey: nil,
                                        by: Actor(kind: .system, id: "process-triggers"), in: tx)
                    }
                    count += 1
                    moved = true
                }
            }
        }
        return count
    }

    public func hasEventStarts() async throws -> Bool {
        let rows = try await read { try await $0.raw(Self.newestDefinitionIDs).all() }
        for row in rows {
            if let deployed = try await definition(id: try row.string("id"), in: nil), !deployed.process.eventStarts.isEmpty { return true }
        }
        return false
    }

    private static let newestDefinitionIDs: SQLQueryString = """
        SELECT d.id FROM process_definitions d
        WHERE d.version = (SELECT MAX(version) FROM process_definitions n WHERE n.process_key = d.process_key)
        ORDER BY d.process_key
        """

    /// The newest version of each process whose model `matches`.
    func newestDefinitions(in tx: WriteTransaction, matching matches: (ProcessDefinition) -> Bool) async throws -> [DeployedProcess] {
        var found: [DeployedProcess] = []
        for row in try await tx.rows(Self.newestDefinitionIDs) {
            if let deployed = try await definition(id: try row.string("id"), in: tx), matches(deployed.process) {
                found.append(deployed)
            }
        }
        return found
    }

    /// A new instance of `deployed`, from its none start events or from one conditional, message
    /// or signal start event.
    func begin(_ deployed: DeployedProcess, from startNode: Int?, variables: [String: JSONValue], customerID: String?,
               businessKey: String?, calledBy: CallingToken? = nil, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        let now = tx.now()
        let outcome = deployed.engine.start(variables: variables, at: now, from: startNode,
                                            calendars: try await calendars(for: deployed.process, in: tx), called: calledBy != nil)
        var record = ProcessInstanceRecord(
            id: tx.newID("pin"), definitionID: deployed.id, key: deployed.key, status: outcome.instance.status, customerID: customerID,
            businessKey: businessKey, state: outcome.instance, stepCount: 0, startedBy: actor, createdAt: now, updatedAt: now,
            endedAt: nil, version: 1, calledBy: calledBy)
        if record.status != .running { record.endedAt = now }
        try await tx.execute("""
            INSERT INTO process_instances (id, definition_id, process_key, status, customer_id, business_key, state, step_count, started_by,
                                           created_at, updated_at, ended_at, version, parent_instance_id, parent_token)
            VALUES (\(bind: record.id), \(bind: deployed.id), \(bind: deployed.key), \(bind: record.status.rawValue), \(bind: customerID),
                    \(bind: businessKey), \(bind: outcome.instance.storedJSON.jsonString), \(bind: Int64(outcome.steps.count)),
                    \(bind: actor.json.jsonString), \(bind: now.microseconds), \(bind: now.microseconds),
                    \(bind: record.endedAt?.microseconds), 1, \(bind: calledBy?.instanceID), \(bind: calledBy?.token))
            """)
        let followUps = try await recordOutcome(outcome, of: record, in: deployed, firstStep: 0, change: "started", at: now, by: actor, in: tx)
        record.stepCount = Int64(outcome.steps.count)
        return try await follow(followUps, of: record, by: actor, in: tx)
    }

    public func instance(_ id: String) async throws -> (ProcessInstanceRecord, DeployedProcess)? {
        guard let row = try await read({ try await $0.raw("\(ProcessRows.instanceColumns) WHERE id = \(bind: id)").first() }) else { return nil }
        return try await withDefinition(row)
    }

    public func instances(_ query: ProcessInstanceQuery, limit: Int, cursor: String?) async throws -> Page<(ProcessInstanceRecord, DeployedProcess)> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let cursor { conditions.append("id < \(bind: try ListCursor.decode(cursor))") }
        if let key = query.key { conditions.append("process_key = \(bind: key)") }
        if let status = query.status { conditions.append("status = \(bind: status.rawValue)") }
        if let customer = query.customerID { conditions.append("customer_id = \(bind: customer)") }
        let sql = ProcessRows.instanceColumns + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY id DESC LIMIT \(bind: limit + 1)"
        let rows = try await read { try await $0.raw(sql).all() }
        var items: [(ProcessInstanceRecord, DeployedProcess)] = []
        for row in rows.prefix(limit) { items.append(try await withDefinition(row)) }
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.0.id) } : nil)
    }

    public func history(of instanceID: String, limit: Int, cursor: String?) async throws -> Page<ProcessStepRecord> {
        let after = try cursor.map { cursor -> Int64 in
            guard let position = Int64(try ListCursor.decode(cursor)) else {
                throw StoreError(.invalidReference, "cursor is not one this server issued", field: "cursor")
            }
            return position
        } ?? -1
        let rows = try await read { database in
            try await database.raw("""
                SELECT position, kind, node, token, at, actor FROM process_steps WHERE instance_id = \(bind: instanceID)
                  AND position > \(bind: after) ORDER BY position LIMIT \(bind: limit + 1)
                """).all()
        }
        let items = try rows.prefix(limit).map { row in
            ProcessStepRecord(position: try row.int64("position"), kind: try row.string("kind"), node: try row.string("node"),
                              token: try row.int64("token"), at: try row.timestamp("at"),
                              actor: Actor(json: try? JSONParser.parse(try row.string("actor"))) ?? .system)
        }
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode(String($0.position)) } : nil)
    }

    public func cancelInstance(_ id: String, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        try await advance(id, with: .cancel, by: actor, in: tx)
    }

    public func setVariables(_ id: String, _ variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        try await advance(id, with: .setVariables(variables), by: actor, in: tx)
    }

    // MARK: - Running

    /// Applies `input` to the stored instance and records the outcome, in `tx`.
    func advance(_ id: String, with input: FlowInput, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        // On PostgreSQL several nodes may write: the row is locked until the commit, so an instance
        // advances on one node at a time (on SQLite the one writer already makes it so).
        guard let row = try await tx.firstRow("\(ProcessRows.instanceColumns) WHERE id = \(bind: id)" + rowLock) else {
            throw StoreError.notFound("process instance", id)
        }
        let (before, deployed) = try await withDefinition(row, in: tx)
        // One moment for the input: the engine's timers, the steps and the row all use it.
        let now = tx.now()
        let calendars = try await calendars(for: deployed.process, in: tx)
        let outcome: FlowOutcome
        do {
            outcome = try deployed.engine.handle(input, on: before.state, at: now, calendars: calendars)
        } catch {
            throw StoreError(.conflict, "process instance \(id): \(error.message)")
        }
        var after = before
        after.state = outcome.instance
        after.status = outcome.instance.status
        after.updatedAt = now
        after.version += 1
        after.stepCount += Int64(outcome.steps.count)
        if after.status != .running { after.endedAt = now }
        try await tx.execute("""
            UPDATE process_instances SET status = \(bind: after.status.rawValue), state = \(bind: outcome.instance.storedJSON.jsonString),
                step_count = \(bind: after.stepCount), updated_at = \(bind: now.microseconds), ended_at = \(bind: after.endedAt?.microseconds),
                version = \(bind: after.version)
            WHERE id = \(bind: id)
            """)
        let change = after.status == .running ? (outcome.actions.contains { if case .raiseIncident = $0 { true } else { false } } ? "incident" : "advanced")
            : after.status.rawValue
        let followUps = try await recordOutcome(outcome, of: after, in: deployed, firstStep: before.stepCount, change: change, at: now,
                                                by: actor, in: tx)
        return try await follow(followUps, of: after, by: actor, in: tx)
    }

    /// What an outcome leaves to do once it is stored.
    private struct FollowUps {
        /// User tasks (and message subscriptions) that could not be made, with why: each is an
        /// incident, fed back as the next input.
        var unopened: [(token: Int, message: String)] = []
        /// Signals the instance threw, broadcast after it is stored.
        var signals: [String] = []
        /// Processes its call activities call, started after it is stored.
        var calls: [(token: Int, node: String, process: String, variables: [String: JSONValue])] = []
        /// Rapport's own actions its service tasks asked for, done after it is stored.
        var performs: [(token: Int, node: String, action: BuiltInAction.Kind, inputs: [String: JSONValue], result: String?)] = []
        /// The error a called instance ended with, thrown at its caller's call activity.
        var errorForCaller: (code: String, message: String?)?
        /// Escalations nothing in a called instance caught, raised at its caller's call activity.
        var escalations: [String] = []
    }

    /// Stores what an input did: history steps, the jobs, tasks, timers, subscriptions and
    /// incidents it asked for, what it withdrew, and one event.
    private func recordOutcome(_ outcome: FlowOutcome, of instance: ProcessInstanceRecord, in deployed: DeployedProcess, firstStep: Int64,
                               change: String, at now: Timestamp, by actor: Actor, in tx: WriteTransaction) async throws -> FollowUps {
        var followUps = FollowUps()
        if !outcome.steps.isEmpty {
            let actorText = actor.json.jsonString
            var values: [SQLQueryString] = []
            values.reserveCapacity(outcome.steps.count)
            for (offset, step) in outcome.steps.enumerated() {
                values.append("(\(bind: instance.id), \(bind: firstStep + Int64(offset)), \(bind: step.kind.rawValue), \(bind: step.node), \(bind: Int64(step.token)), \(bind: now.microseconds), \(bind: actorText))")
            }
            try await tx.execute("INSERT INTO process_steps (instance_id, position, kind, node, token, at, actor) VALUES " + values.joined(separator: ", "))
        }
        for action in outcome.actions {
            switch action {
            case .activateJob(let token, let node, let job):
                try await tx.execute("""
                    INSERT INTO process_jobs (id, instance_id, token, node, type, retries, available_at, created_at)
                    VALUES (\(bind: tx.newID("job")), \(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: job.type),
                            \(bind: Int64(max(job.retries, 1))), \(bind: now.microseconds), \(bind: now.microseconds))
                    """)
            case .openUserTask(let token, let node, let name, let task):
                if let refusal = try await openUserTask(task, name: name, node: node, token: token, of: instance, in: tx) {
                    followUps.unopened.append((token, refusal))
                }
            case .scheduleTimer(let token, let node, let due):
                try await tx.execute("""
                    INSERT INTO process_timers (id, instance_id, token, node, due_at)
                    VALUES (\(bind: tx.newID("tmr")), \(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: due.microseconds))
                    """)
            case .withdraw(let token, let node):
                if let position = deployed.process.node(node), case .callActivity = deployed.process.nodes[position].kind {
                    try await cancelCalled(by: CallingToken(instanceID: instance.id, token: Int64(token)), actor: actor, in: tx)
                }
                try await withdrawUserTask(instanceID: instance.id, token: token, in: tx)
                try await tx.execute("DELETE FROM process_jobs WHERE instance_id = \(bind: instance.id) AND token = \(bind: Int64(token))")
                try await disarm(token, of: instance.id, in: tx)
            case .subscribe(let token, let node, let message, let key):
                guard let key = key ?? instance.customerID else {
                    followUps.unopened.append((token, "the message catch \(node) has no correlation key: the instance is about no customer, and the message names no key"))
                    continue
                }
                try await tx.execute("""
                    INSERT INTO process_message_subscriptions (instance_id, token, node, message, correlation_key, created_at, after_sequence)
                    VALUES (\(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: message), \(bind: key), \(bind: now.microseconds),
                            \(bind: Self.causingEvent))
                    """)
            case .subscribeSignal(let token, let node, let signal):
                try await tx.execute("""
                    INSERT INTO process_signal_subscriptions (instance_id, token, node, signal, created_at)
                    VALUES (\(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: signal), \(bind: now.microseconds))
                    """)
            case .broadcastSignal(let signal):
                followUps.signals.append(signal)
            case .callProcess(let token, let node, let process, let variables):
                followUps.calls.append((token, node, process, variables))
            case .perform(let token, let node, let action, let inputs, let result) where action.isExternal:
                // Done outside this transaction by Rapport's own worker: a job, at least once.
                let payload: JSONValue = ["inputs": .object(JSONObject(sortingKeysOf: inputs)), "result": result.map(JSONValue.string) ?? .null]
                try await tx.execute("""
                    INSERT INTO process_jobs (id, instance_id, token, node, type, retries, available_at, created_at, payload)
                    VALUES (\(bind: tx.newID("job")), \(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: action.rawValue),
                            \(bind: Int64(Self.actionAttempts)), \(bind: now.microseconds), \(bind: now.microseconds), \(bind: payload.jsonString))
                    """)
            case .perform(let token, let node, let action, let inputs, let result):
                followUps.performs.append((token, node, action, inputs, result))
            case .disarm(let token):
                try await disarm(token, of: instance.id, in: tx)
            case .disarmEvents(let token, let nodes):
                for table: SQLQueryString in ["process_timers", "process_message_subscriptions", "process_signal_subscriptions"] {
                    try await tx.execute("DELETE FROM " + table + " WHERE instance_id = \(bind: instance.id) AND token = \(bind: Int64(token)) AND node IN (\(binds: nodes))")
                }
            case .throwToCaller(let code, let message):
                followUps.errorForCaller = (code, message)
            case .escalateToCaller(let code):
                followUps.escalations.append(code)
            case .raiseIncident(let token, let node, let message):
                try await tx.execute("""
                    INSERT INTO process_incidents (id, instance_id, token, node, message, status, created_at)
                    VALUES (\(bind: tx.newID("inc")), \(bind: instance.id), \(bind: Int64(token)), \(bind: node), \(bind: message), 'open',
                            \(bind: now.microseconds))
                    """)
            }
        }
        if instance.status != .running {
            // What the process's own scope still waited for (its event subprocesses' starts) goes.
            if !deployed.process.eventSubprocesses(in: nil).isEmpty {
                try await disarm(0, of: instance.id, in: tx)
            }
            // Incidents of an ended instance have nothing left to retry.
            try await tx.execute("""
                UPDATE process_incidents SET status = 'resolved', resolved_at = \(bind: now.microseconds), resolved_by = \(bind: actor.json.jsonString)
                WHERE instance_id = \(bind: instance.id) AND status = 'open'
                """)
        }
        guard case .object(var record) = instance.json(in: deployed) else { return followUps }
        record["steps"] = .array(outcome.steps.map { ["kind": .string($0.kind.rawValue), "node": .string($0.node), "token": .integer(Int64($0.token))] })
        tx.append(.change("process", change, subject: instance.customerID ?? instance.id, record: .object(record), changedFields: [], actor: actor))
        return followUps
    }

    /// Drops the timers and message and signal subscriptions of a token.
    private func disarm(_ token: Int, of instanceID: String, in tx: WriteTransaction) async throws {
        for table: SQLQueryString in ["process_timers", "process_message_subscriptions", "process_signal_subscriptions"] {
            try await tx.execute("DELETE FROM " + table + " WHERE instance_id = \(bind: instanceID) AND token = \(bind: Int64(token))")
        }
    }

    /// The instance after what its outcome left to do: incidents for the user tasks that could not
    /// be given to anyone, then the signals it threw (which may move it again).
    private func follow(_ followUps: FollowUps, of instance: ProcessInstanceRecord, by actor: Actor,
                        in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        var current = instance
        for task in followUps.unopened {
            current = try await advance(instance.id, with: .fail(token: task.token, message: task.message), by: actor, in: tx)
        }
        for work in followUps.performs {
            current = try await perform(work.action, inputs: work.inputs, result: work.result, token: work.token, node: work.node, of: current,
                                        by: actor, in: tx)
        }
        for call in followUps.calls {
            try await startCalled(call.process, variables: call.variables, for: CallingToken(instanceID: instance.id, token: Int64(call.token)),
                                  node: call.node, of: current, by: actor, in: tx)
        }
        for signal in followUps.signals {
            _ = try await broadcast(signal, variables: [:], by: actor, in: tx)
        }
        if let caller = instance.calledBy {
            for code in followUps.escalations {
                _ = try await advance(caller.instanceID, with: .escalation(token: Int(caller.token), code: code), by: actor, in: tx)
            }
        }
        if !followUps.calls.isEmpty || !followUps.signals.isEmpty || !followUps.escalations.isEmpty,
           let row = try await tx.firstRow("\(ProcessRows.instanceColumns) WHERE id = \(bind: instance.id)") {
            current = try await withDefinition(row, in: tx).0
        }
        if current.status != .running, let caller = current.calledBy {
            try await report(current, to: caller, error: followUps.errorForCaller, by: actor, in: tx)
        }
        return current
    }

    private func newestDefinition(key: String, version: Int64?, in tx: WriteTransaction) async throws -> DeployedProcess? {
        let query: SQLQueryString = version.map { "SELECT id FROM process_definitions WHERE process_key = \(bind: key) AND version = \(bind: $0)" }
            ?? "SELECT id FROM process_definitions WHERE process_key = \(bind: key) ORDER BY version DESC LIMIT 1"
        guard let id = try await tx.firstRow(query).map({ try $0.string("id") }) else { return nil }
        return try await definition(id: id, in: tx)
    }

    /// ` FOR UPDATE` on PostgreSQL, where several nodes may write; nothing on SQLite.
    var rowLock: SQLQueryString { flavor == .postgres ? " FOR UPDATE" : "" }

    func withDefinition(_ row: any SQLRow, in tx: WriteTransaction? = nil) async throws -> (ProcessInstanceRecord, DeployedProcess) {
        let definitionID = try row.string("definition_id")
        guard let deployed = try await definition(id: definitionID, in: tx) else {
            throw StoreError(.unavailable, "process definition \(definitionID) is missing")
        }
        return (try ProcessRows.decodeInstance(row, in: deployed), deployed)
    }
}
