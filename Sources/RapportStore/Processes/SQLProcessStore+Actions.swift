import RapportCore
import RapportFlow

/// Rapport's own service task actions, done in the instance's transaction: what they make is
/// committed with the step that made it, or neither is.
extension SQLProcessStore {
    /// How many times Rapport's worker tries an external action before it is an incident.
    public static let actionAttempts = 5

    /// Does the action for the token and completes it (its result variable set to what was made),
    /// or stops it in an incident saying why it could not be done. The instance after it.
    func perform(_ action: BuiltInAction.Kind, inputs: [String: JSONValue], result: String?, token: Int, node: String,
                 of instance: ProcessInstanceRecord, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        let author = Colleague(actor: Actor(kind: .system, id: "process:\(instance.key)"), departmentID: nil, moderates: true)
        let outcome: Result<JSONValue, StoreError>
        do {
            outcome = .success(.string(try await run(action, inputs: inputs, about: instance, author: author, in: tx)))
        } catch let suppressed as MessageSuppressed {
            // Consent says no: nothing is sent, and the step goes on saying why.
            outcome = .success(["suppressed": .string(suppressed.reason)])
        } catch let error as StoreError where error.code != .unavailable {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let made):
            let variables: [String: JSONValue] = result.map { [$0: made] } ?? [:]
            return try await advance(instance.id, with: .complete(token: token, variables: variables), by: actor, in: tx)
        case .failure(let error):
            let field = error.field.map { " (\($0))" } ?? ""
            return try await advance(instance.id, with: .fail(token: token, message: "\(node) (\(action.rawValue)) could not be done\(field): \(error.message)"),
                                     by: actor, in: tx)
        }
    }

    /// The id of what the action made or changed.
    private func run(_ action: BuiltInAction.Kind, inputs: [String: JSONValue], about instance: ProcessInstanceRecord, author: Colleague,
                     in tx: WriteTransaction) async throws -> String {
        switch action {
        case .note: try await addNote(inputs, about: instance, author: author, in: tx)
        case .handoff: try await openHandoff(inputs, about: instance, author: author, in: tx)
        case .updateRecord: try await updateRecord(inputs, by: author.actor, in: tx)
        case .updateCustomer: try await updateCustomer(inputs, about: instance, by: author.actor, in: tx)
        case .email: try await sendEmail(inputs, about: instance, by: author.actor, in: tx)
        case .message: try await sendMessage(inputs, about: instance, by: author.actor, in: tx)
        case .webhook, .amqp: preconditionFailure("an external action is a job for Rapport's worker (see recordOutcome)")
        }
    }

    /// The instance's customer, which a note or a handoff is about.
    private func customer(of instance: ProcessInstanceRecord, for what: String) throws -> String {
        guard let customerID = instance.customerID else {
            throw StoreError(.invalidReference, "the instance is about no customer, and a \(what) is about one")
        }
        return customerID
    }

    /// A note on the instance's customer: `body`, `pinned`.
    private func addNote(_ inputs: [String: JSONValue], about instance: ProcessInstanceRecord, author: Colleague,
                         in tx: WriteTransaction) async throws -> String {
        let customerID = try customer(of: instance, for: "note")
        let body = try Self.text(inputs["body"], "body")
        let pinned = inputs["pinned"].map { $0 == .bool(true) } ?? false
        return try await store.notes.createNote(NoteDraft(customerID: customerID, conversationID: nil, body: body, pinned: pinned),
                                                author: author, in: tx).id
    }

    /// A handoff about the instance's customer: `reason`, `kind`, the departments, `sla_minutes`.
    private func openHandoff(_ inputs: [String: JSONValue], about instance: ProcessInstanceRecord, author: Colleague,
                             in tx: WriteTransaction) async throws -> String {
        let customerID = try customer(of: instance, for: "handoff")
        let reason = try Self.text(inputs["reason"], "reason")
        let kindName = try inputs["kind"].map { try Self.text($0, "kind") } ?? HandoffKind.other.rawValue
        guard let kind = HandoffKind(rawValue: kindName) else {
            throw StoreError(.invalidReference, "\(kindName) is not a handoff kind (\(HandoffKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                             field: "kind")
        }
        let minutes = inputs["sla_minutes"].flatMap(\.intValue).map(Int.init)
        let draft = HandoffDraft(kind: kind, fromDepartment: try inputs["from_department"].map { try Self.text($0, "from_department") },
                                 toDepartment: try inputs["to_department"].map { try Self.text($0, "to_department") },
                                 customerID: customerID, reason: reason, slaMinutes: minutes)
        guard draft.fromDepartment != nil || kind.route != nil else {
            throw StoreError(.invalidReference, "a handoff of kind other needs from_department", field: "from_department")
        }
        return try await store.handoffs.requestHandoff(draft, by: author, in: tx).id
    }

    /// Changes the record's fields and stage as `PATCH /v1/records/{type}/{id}` does; its id.
    private func updateRecord(_ inputs: [String: JSONValue], by actor: Actor, in tx: WriteTransaction) async throws -> String {
        let id = try Self.text(inputs["record"], "record")
        guard let typeKey = try await tx.firstRow("SELECT type_key FROM records WHERE id = \(bind: id) AND deleted_at IS NULL")
            .map({ try $0.string("type_key") }), let type = try await store.recordTypes.recordType(typeKey, in: tx) else {
            throw StoreError(.invalidReference, "no record has the id \(id)", field: "record")
        }
        if let fields = inputs["fields"], fields.objectValue == nil {
            throw StoreError(.invalidReference, "fields must be an object of field key → value, not \(fields.typeName)", field: "fields")
        }
        let stage = try inputs["stage"].map { try Self.text($0, "stage") }
        let changes = RecordChanges(fields: inputs["fields"], stage: stage)
        let context = FieldValueContext(normalizer: try store.processActionEnvironment.identityNormalizer)
        do {
            return try await store.records.changeRecord(id, of: type, changes, expectedVersion: nil, context: context, actor: actor, in: tx).id
        } catch let failure as ValidationFailure {
            let issue = failure.issues.first
            throw StoreError(.invalidReference, issue?.message ?? "the change does not fit the record's type", field: issue?.field)
        }
    }

    /// Changes the customer (the instance's, else `customer`) as `PATCH /v1/customers/{id}` does; its id.
    private func updateCustomer(_ inputs: [String: JSONValue], about instance: ProcessInstanceRecord, by actor: Actor,
                                in tx: WriteTransaction) async throws -> String {
        guard let id = try inputs["customer"].map({ try Self.text($0, "customer") }) ?? instance.customerID else {
            throw StoreError(.invalidReference, "the instance is about no customer, and no customer input names one", field: "customer")
        }
        var body = JSONObject(sortingKeysOf: inputs)
        _ = body.removeValue(forKey: "customer")
        let normalizer = try store.processActionEnvironment.identityNormalizer
        let patch: CustomerPatch
        do {
            patch = try CustomerPatch.read(.object(body), normalizer: normalizer)
        } catch {
            let issue = error.issues.first
            throw StoreError(.invalidReference, issue?.message ?? "the change does not fit a customer", field: issue?.field)
        }
        return try await store.customers.patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor, in: tx).id
    }

    static func text(_ value: JSONValue?, _ name: String) throws -> String {
        guard case .string(let text)? = value, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StoreError(.invalidReference, "\(name) must be non-empty text, not \(value?.typeName ?? "missing")", field: name)
        }
        return text
    }
}
