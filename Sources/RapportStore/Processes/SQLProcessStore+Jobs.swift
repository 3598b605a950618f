import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func activateJobs(type: String, worker: String, limit: Int, lock: Duration, in tx: WriteTransaction) async throws -> [ActivatedJob] {
        let now = tx.now()
        let until = now.adding(lock)
        let rows = try await tx.rows("""
            \(ProcessRows.jobColumns) WHERE type = \(bind: type) AND available_at <= \(bind: now.microseconds)
              AND (locked_until IS NULL OR locked_until <= \(bind: now.microseconds))
            ORDER BY available_at, id LIMIT \(bind: limit)
            """ + (flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""))
        var activated: [ActivatedJob] = []
        for row in rows {
            var job = try ProcessRows.decodeJob(row)
            job.worker = worker
            job.lockedUntil = until
            try await tx.execute("""
                UPDATE process_jobs SET worker = \(bind: worker), locked_until = \(bind: until.microseconds) WHERE id = \(bind: job.id)
                """)
            guard let instance = try await tx.firstRow("""
                SELECT process_key, customer_id, state FROM process_instances WHERE id = \(bind: job.instanceID)
                """) else { continue }
            // What the job's token sees: the instance's variables under its scopes' locals (a
            // multi-instance element, `loopCounter`).
            let state = (try? JSONParser.parse(try instance.string("state"))).flatMap {
                FlowInstance(stored: $0, status: .running, nodeCount: .max, flowCount: .max)
            }
            activated.append(ActivatedJob(job: job, process: try instance.string("process_key"), customerID: try instance.optionalString("customer_id"),
                                          variables: state?.variables(for: Int(job.token)) ?? [:]))
        }
        return activated
    }

    public func extendJobLocks(_ ids: [String], worker: String, until: Timestamp, in tx: WriteTransaction) async throws {
        guard !ids.isEmpty else { return }
        try await tx.execute("""
            UPDATE process_jobs SET locked_until = \(bind: until.microseconds)
            WHERE worker = \(bind: worker) AND id IN (\(binds: ids)) AND locked_until IS NOT NULL
            """)
    }

    public func nextJobAvailable(types: [String]) async throws -> Timestamp? {
        guard !types.isEmpty else { return nil }
        let row = try await read {
            try await $0.raw("""
                SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > available_at THEN locked_until ELSE available_at END) AS due
                FROM process_jobs WHERE type IN (\(binds: types))
                """).first()
        }
        return try row?.optionalTimestamp("due")
    }

    public func completeJob(_ id: String, variables: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        let job = try await lockedJob(id, in: tx)
        try await tx.execute("DELETE FROM process_jobs WHERE id = \(bind: id)")
        return try await advance(job.instanceID, with: .complete(token: Int(job.token), variables: variables), by: actor, in: tx)
    }

    public func throwJobError(_ id: String, code: String, message: String?, variables: [String: JSONValue], by actor: Actor,
                              in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        let job = try await lockedJob(id, in: tx)
        try await tx.execute("DELETE FROM process_jobs WHERE id = \(bind: id)")
        return try await advance(job.instanceID, with: .throwError(token: Int(job.token), code: code, message: message, variables: variables),
                                 by: actor, in: tx)
    }

    public func failJob(_ id: String, message: String, retries: Int64?, retryAfter: Duration, by actor: Actor,
                        in tx: WriteTransaction) async throws -> ProcessJob? {
        var job = try await lockedJob(id, in: tx)
        let left = retries ?? (job.retries - 1)
        guard left > 0 else {
            try await tx.execute("DELETE FROM process_jobs WHERE id = \(bind: id)")
            _ = try await advance(job.instanceID, with: .fail(token: Int(job.token), message: message), by: actor, in: tx)
            return nil
        }
        let now = tx.now()
        job.retries = left
        job.lastError = message
        job.worker = nil
        job.lockedUntil = nil
        job.availableAt = now.adding(retryAfter)
        try await tx.execute("""
            UPDATE process_jobs SET retries = \(bind: left), last_error = \(bind: message), worker = NULL, locked_until = NULL,
                available_at = \(bind: job.availableAt.microseconds)
            WHERE id = \(bind: id)
            """)
        return job
    }

    /// A job a worker holds (or held: a lock that lapsed without another worker taking the job still counts).
    private func lockedJob(_ id: String, in tx: WriteTransaction) async throws -> ProcessJob {
        guard let row = try await tx.firstRow("\(ProcessRows.jobColumns) WHERE id = \(bind: id)") else {
            throw StoreError.notFound("job", id)
        }
        let job = try ProcessRows.decodeJob(row)
        guard job.worker != nil else {
            throw StoreError(.conflict, "job \(id) is not activated: a worker activates it (POST /v1/jobs/activate) before completing or failing it")
        }
        return job
    }
}
