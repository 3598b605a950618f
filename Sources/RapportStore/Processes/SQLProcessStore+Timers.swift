import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func fireDueTimers(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int {
        let started = try await fireStartTimers(at: now, limit: limit, in: tx)
        let due = try await tx.rows("""
            SELECT id, instance_id, token, node FROM process_timers WHERE due_at <= \(bind: now.microseconds) ORDER BY due_at, id LIMIT \(bind: limit)
            """)
        for row in due {
            let id = try row.string("id")
            try await tx.execute("DELETE FROM process_timers WHERE id = \(bind: id)")
            let input = FlowInput.timerFired(token: Int(try row.int64("token")), node: try row.string("node"))
            do {
                _ = try await advance(try row.string("instance_id"), with: input, by: .system, in: tx)
            } catch let error as StoreError where error.code == .conflict {
                // The token no longer waits for this timer (it moved on in a way that left the timer behind).
                logger.warning("a process timer fired for nothing", metadata: ["timer": "\(id)", "reason": "\(error.message)"])
            }
        }
        return started + due.count
    }

    public func nextTimerDue() async throws -> Timestamp? {
        try await read { database in
            let tokens = try await database.raw("SELECT MIN(due_at) AS due FROM process_timers").first()?.decode(column: "due", as: Int64?.self)
            let starts = try await database.raw("SELECT MIN(due_at) AS due FROM process_start_timers").first()?.decode(column: "due", as: Int64?.self)
            return [tokens, starts].compactMap { $0 }.min()
        }.map(Timestamp.init(microseconds:))
    }

    public func timers(of instanceID: String) async throws -> [ProcessTimerRecord] {
        let rows = try await read { database in
            try await database.raw("""
                SELECT token, node, due_at FROM process_timers WHERE instance_id = \(bind: instanceID) ORDER BY due_at, id
                """).all()
        }
        return try rows.map { ProcessTimerRecord(token: try $0.int64("token"), node: try $0.string("node"), dueAt: try $0.timestamp("due_at")) }
    }

    /// A new version's timer start events wait for their first time; the older versions' stop.
    func scheduleStartTimers(of deployed: DeployedProcess, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            DELETE FROM process_start_timers WHERE definition_id IN (SELECT id FROM process_definitions WHERE process_key = \(bind: deployed.key))
            """)
        let calendars = try await calendars(for: deployed.process, in: tx)
        for start in deployed.process.timerStarts {
            guard case .timerStart(let timer) = deployed.process.nodes[start].kind else { continue }
            let due = timer.due(after: deployed.deployedAt, in: timer.businessHours.flatMap { calendars[$0] })
            try await tx.execute("""
                INSERT INTO process_start_timers (definition_id, node, due_at, fired)
                VALUES (\(bind: deployed.id), \(bind: deployed.process.nodes[start].id), \(bind: due.microseconds), 0)
                """)
        }
    }

    /// Starts an instance for each timer start event due, then sets its next time (a cycle with
    /// repetitions left) or drops it.
    private func fireStartTimers(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int {
        let due = try await tx.rows("""
            SELECT definition_id, node, due_at, fired FROM process_start_timers WHERE due_at <= \(bind: now.microseconds)
            ORDER BY due_at, definition_id, node LIMIT \(bind: limit)
            """)
        for row in due {
            let (definitionID, node) = (try row.string("definition_id"), try row.string("node"))
            let fired = try row.int64("fired") + 1
            let key: SQLQueryString = " WHERE definition_id = \(bind: definitionID) AND node = \(bind: node)"
            guard let deployed = try await definition(id: definitionID, in: tx), let start = deployed.process.node(node),
                  case .timerStart(let timer) = deployed.process.nodes[start].kind else {
                try await tx.execute("DELETE FROM process_start_timers" + key)
                continue
            }
            _ = try await begin(deployed, from: start, variables: [:], customerID: nil, businessKey: nil,
                                by: Actor(kind: .system, id: "process-timers"), in: tx)
            if let cycle = timer.cycle, cycle.repetitions.map({ fired < Int64($0) }) ?? true {
                var hours: BusinessHours?
                if let reference = timer.businessHours { hours = try await calendars(for: deployed.process, in: tx)[reference] }
                let next = cycle.next(after: try row.timestamp("due_at"), now: now, in: hours)
                try await tx.execute("UPDATE process_start_timers SET due_at = \(bind: next.microseconds), fired = \(bind: fired)" + key)
            } else {
                try await tx.execute("DELETE FROM process_start_timers" + key)
            }
        }
        return due.count
    }

    public func incidents(status: ProcessIncident.Status?, limit: Int, cursor: String?) async throws -> Page<ProcessIncident> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        if let cursor { conditions.append("id < \(bind: try ListCursor.decode(cursor))") }
        let sql = ProcessRows.incidentColumns + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY id DESC LIMIT \(bind: limit + 1)"
        let rows = try await read { try await $0.raw(sql).all() }
        let items = try rows.prefix(limit).map(ProcessRows.decodeIncident)
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    public func retryIncident(_ id: String, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        guard let row = try await tx.firstRow("\(ProcessRows.incidentColumns) WHERE id = \(bind: id)") else {
            throw StoreError.notFound("incident", id)
        }
        let incident = try ProcessRows.decodeIncident(row)
        guard incident.status == .open else { throw StoreError(.conflict, "incident \(id) is already resolved") }
        try await tx.execute("""
            UPDATE process_incidents SET status = 'resolved', resolved_at = \(bind: tx.now().microseconds), resolved_by = \(bind: actor.json.jsonString)
            WHERE id = \(bind: id)
            """)
        return try await advance(incident.instanceID, with: .retry(token: Int(incident.token)), by: actor, in: tx)
    }
}
