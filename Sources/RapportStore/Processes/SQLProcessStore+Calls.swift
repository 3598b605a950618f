import RapportCore
import RapportFlow
import SQLKit

/// Call activities: the called instance is started in the caller's transaction, reports back when
/// it ends, and is cancelled when the caller's token is withdrawn.
extension SQLProcessStore {
    /// How deep calls started in one transaction may nest (a process that calls itself at once).
    static let callDepthLimit = 32

    @TaskLocal static var callDepth = 0

    /// Starts the newest version of `process` for the calling token, about the caller's customer;
    /// one that is not deployed (or starts only on events) is an incident at the call activity.
    func startCalled(_ process: String, variables: [String: JSONValue], for caller: CallingToken, node: String,
                     of instance: ProcessInstanceRecord, by actor: Actor, in tx: WriteTransaction) async throws {
        let deployed = try await newestDefinitions(in: tx) { $0.id == process }.first
        guard let deployed, !deployed.process.noneStarts.isEmpty else {
            let why = deployed == nil ? "is not deployed" : "has no none start event to be called at"
            _ = try await advance(instance.id, with: .fail(token: Int(caller.token), message: "the call activity \(node) calls process \(process), which \(why)"),
                                  by: actor, in: tx)
            return
        }
        guard Self.callDepth < Self.callDepthLimit else {
            _ = try await advance(instance.id, with: .fail(token: Int(caller.token), message: "the call activity \(node) would start calls "
                                                           + "\(Self.callDepthLimit) deep at once: the processes call each other without end"),
                                  by: actor, in: tx)
            return
        }
        _ = try await Self.$callDepth.withValue(Self.callDepth + 1) {
            try await begin(deployed, from: nil, variables: variables, customerID: instance.customerID, businessKey: instance.businessKey,
                            calledBy: caller, by: actor, in: tx)
        }
    }

    /// A called instance ended: completed or terminated, its caller's token goes on with its
    /// variables; ended by an error nothing in it caught, the error is thrown at the call activity
    /// (its error boundary event, or an incident there); cancelled, the caller's token stops in an
    /// incident.
    func report(_ called: ProcessInstanceRecord, to caller: CallingToken, error: (code: String, message: String?)?, by actor: Actor,
                in tx: WriteTransaction) async throws {
        let input: FlowInput = switch (called.status, error) {
        case (_, let error?):
            .throwError(token: Int(caller.token), code: error.code,
                        message: "thrown in the called instance \(called.id) of \(called.key)" + (error.message.map { ": \($0)" } ?? ""), variables: [:])
        case (.completed, nil), (.terminated, nil): .calledProcessEnded(token: Int(caller.token), variables: called.state.variables)
        case (.cancelled, nil), (.running, nil): .fail(token: Int(caller.token), message: "the called instance \(called.id) of \(called.key) was cancelled")
        }
        do {
            _ = try await advance(caller.instanceID, with: input, by: actor, in: tx)
        } catch let error as StoreError where error.code == .conflict {
            // The call activity no longer waits (an interrupting escalation it raised ended it): nothing takes the outcome.
            logger.info("a called instance ended for a call activity that moved on", metadata: ["instance": "\(called.id)", "reason": "\(error.message)"])
        }
    }

    /// The caller's token was withdrawn: the instance it called is cancelled (told nothing back).
    func cancelCalled(by caller: CallingToken, actor: Actor, in tx: WriteTransaction) async throws {
        let rows = try await tx.rows("""
            SELECT id FROM process_instances WHERE parent_instance_id = \(bind: caller.instanceID) AND parent_token = \(bind: caller.token)
              AND status = 'running'
            """)
        for row in rows {
            let id = try row.string("id")
            try await tx.execute("UPDATE process_instances SET parent_instance_id = NULL, parent_token = NULL WHERE id = \(bind: id)")
            _ = try await advance(id, with: .cancel, by: actor, in: tx)
        }
    }
}
