import RapportCore
import RapportStore

/// Routes the events of one batch inside one write transaction: threads interactions into
/// conversations, runs the rules of each trigger with the classifier's prediction and the keyword
/// hits, applies the plan, and records every decision with the rules that made it.
struct RoutingPass {
    let conversations: any ConversationStore
    /// Where the rules' `create_task` and `notify` actions land.
    let tasks: any TaskStore
    let notifications: any NotificationStore
    let resources: RoutingResources
    let channels: [String: Channel]
    let directory: RoutingDirectory
    /// Content analysis made before the transaction, by interaction id, so the writer is not
    /// held while messages are classified and scanned.
    var analyses: [String: ContentAnalysis] = [:]

    /// What one event led to, for metrics and logs.
    struct Result: Sendable {
        var decisions = 0
        var failedRules: [RuleFailure] = []
    }

    /// Whether rules of the interaction triggers look at the customer (read for a whole batch).
    var readsCustomers: Bool {
        resources.rules.readsCustomer(for: .interactionCreated) || resources.rules.readsCustomer(for: .conversationCreated)
    }

    func route(_ event: Event, in tx: WriteTransaction, batch: RoutingBatch) async throws -> Result {
        switch event.type {
        case "rapport.interaction.created":
            // The event carries the interaction as stored; the store is read only for an older record shape.
            guard let record = event.data.objectValue?["interaction"], let id = record.objectValue?["id"]?.stringValue else { return Result() }
            var interaction = Interaction(record: record)
            if interaction == nil { interaction = try await conversations.interactionRecord(id, in: tx) }
            guard let interaction, ConversationThreading.conversationalKinds.contains(interaction.kind) else { return Result() }
            // Ingest threaded it; outbound messages join their conversation but are not routed.
            if let conversation = batch.conversation(ofInteraction: interaction.id) {
                guard interaction.direction == .inbound else { return Result() }
                try await tellFollowers(of: conversation, about: interaction, in: tx, batch: batch)
                return try await runRules(.interactionCreated, conversation: conversation, previous: conversation, interaction: interaction,
                                          event: event, in: tx, batch: batch, recordAlways: true)
            }
            return try await threadAndRoute(interaction, event: event, in: tx, batch: batch)
        case "rapport.conversation.created":
            // Conversations threading opened at ingest; those the router opens itself run these rules at once.
            guard resources.rules.hasRules(for: .conversationCreated),
                  event.data.objectValue?["actor"] == Actor.threading.json,
                  let id = event.data.objectValue?["conversation"]?.objectValue?["id"]?.stringValue,
                  let conversation = try await batch.conversation(id, in: tx) else { return Result() }
            let opening = try await conversations.openingInteraction(ofConversation: id, in: tx)
            return try await runRules(.conversationCreated, conversation: conversation, previous: conversation, interaction: opening,
                                      event: event, in: tx, batch: batch, recordAlways: false)
        case "rapport.conversation.updated":
            guard resources.rules.hasRules(for: .conversationChanged),
                  event.data.objectValue?["actor"] != Actor.router.json, event.data.objectValue?["actor"] != Actor.threading.json,
                  let id = event.data.objectValue?["conversation"]?.objectValue?["id"]?.stringValue,
                  let conversation = try await conversations.conversationForUpdate(id, in: tx) else { return Result() }
            return try await runRules(.conversationChanged, conversation: conversation, previous: conversation, interaction: nil,
                                      event: event, in: tx, batch: batch, recordAlways: false)
        case "rapport.customer.updated":
            guard resources.rules.hasRules(for: .customerChanged) else { return Result() }
            var result = Result()
            for conversation in try await conversations.activeConversations(ofCustomer: event.subject, in: tx) {
                let one = try await runRules(.customerChanged, conversation: conversation, previous: conversation, interaction: nil,
                                             event: event, in: tx, batch: batch, recordAlways: false)
                result.decisions += one.decisions
                result.failedRules += one.failedRules
            }
            return result
        default:
            return Result()
        }
    }

    /// Threads and routes an interaction that is in no conversation: one stored before threading
    /// moved into ingest, whose event the router reads after an upgrade.
    private func threadAndRoute(_ interaction: Interaction, event: Event, in tx: WriteTransaction, batch: RoutingBatch) async throws -> Result {
        guard let threaded = try await conversations.thread(interaction, threading: resources.settings.threading, in: tx) else { return Result() }
        // Outbound messages join and update their conversation but are not routed.
        guard interaction.direction == .inbound else {
            try await conversations.saveConversation(threaded.conversation, previous: threaded.previous, actor: .router, directory: directory, in: tx)
            batch.link(interaction.id, to: threaded.conversation)
            return Result()
        }
        try await tellFollowers(of: threaded.conversation, about: interaction, in: tx, batch: batch)
        var result = try await runRules(.interactionCreated, conversation: threaded.conversation, previous: threaded.previous,
                                        interaction: interaction, event: event, in: tx, batch: batch, recordAlways: true)
        if threaded.created, resources.rules.hasRules(for: .conversationCreated),
           let stored = try await batch.conversation(threaded.conversation.id, in: tx) {
            let more = try await runRules(.conversationCreated, conversation: stored, previous: stored, interaction: interaction,
                                          event: event, in: tx, batch: batch, recordAlways: false)
            result.decisions += more.decisions
            result.failedRules += more.failedRules
        }
        return result
    }

    /// Those who follow the customer or the conversation hear that the customer wrote.
    private func tellFollowers(of conversation: Conversation, about interaction: Interaction, in tx: WriteTransaction,
                               batch: RoutingBatch) async throws {
        let followers = try await batch.followers(of: conversation, in: tx)
        guard !followers.isEmpty else { return }
        let subject = NotificationSubject(customerID: conversation.customerID, conversationID: conversation.id,
                                          text: (interaction.body ?? interaction.subject ?? "").split(whereSeparator: \.isNewline).joined(separator: " "))
        try await notifications.notify(followers, kind: .replyOnFollowed, about: subject, actor: nil, via: nil, in: tx)
    }

    /// Evaluates one trigger's rules for a conversation and applies what they decide.
    private func runRules(_ trigger: RoutingTrigger, conversation: Conversation, previous: Conversation?, interaction: Interaction?,
                          event: Event, in tx: WriteTransaction, batch: RoutingBatch, recordAlways: Bool) async throws -> Result {
        let started = ContinuousClock.now
        let channel = channels[conversation.channelID]
        var context = RoutingContext(
            trigger: trigger, interaction: interaction, conversation: conversation,
            customer: resources.rules.readsCustomer(for: trigger) ? try await batch.customer(conversation.customerID, in: tx) : .null,
            channel: channel?.json ?? .null, channelKind: channel?.kind.rawValue)
        resources.analyse(&context, at: tx.now(), precomputed: interaction.flatMap { analyses[$0.id] })
        let outcome = resources.rules.evaluate(context)
        // The classifier and triage decide only where nothing has routed the conversation yet.
        let plan = trigger == .interactionCreated
            ? RoutingPlan.make(outcome: outcome, prediction: context.prediction, settings: resources.settings,
                               isKnownDepartment: directory.departmentKeys.contains, alreadyRouted: conversation.departmentID != nil)
            : RoutingPlan(actions: outcome.actions, outcome: outcome, prediction: context.prediction,
                          reason: outcome.actions.department != nil ? "rule" : nil)
        var next = conversation
        let problems = try await conversations.apply(plan.actions, to: &next, directory: directory, in: tx)
        if next != conversation { next.updatedAt = tx.now() }
        try await conversations.saveConversation(next, previous: previous, actor: .router, directory: directory, in: tx)
        batch.remember(next)
        if trigger == .interactionCreated, let interaction, batch.conversation(ofInteraction: interaction.id) == nil {
            batch.link(interaction.id, to: next)
        }
        var result = Result(failedRules: outcome.failures)
        guard recordAlways || !outcome.matched.isEmpty || !outcome.failures.isEmpty else { return result }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        let record = plan.record(keywordHits: context.keywordHits, withinBusinessHours: context.withinBusinessHours,
                                 problems: problems, result: next, milliseconds: milliseconds)
        let decisionID = tx.newID("rtd")
        batch.record(RoutingDecisionRow(id: decisionID, conversationID: next.id, interactionID: interaction?.id, trigger: trigger,
                                        eventSequence: event.sequence, decision: record))
        let routed = JSONObject(distinctKeys: [
            ("decision_id", .string(decisionID)),
            ("trigger", .string(trigger.rawValue)),
            ("conversation", next.json),
            ("interaction_id", interaction.map { .string($0.id) } ?? .null),
            ("decision", record),
        ])
        tx.append(EventDraft(type: "rapport.conversation.routed", subject: next.customerID, data: .object(routed)))
        try await appendSignals(plan.actions, conversation: next, interaction: interaction, outcome: outcome, in: tx)
        result.decisions = 1
        return result
    }

    /// Who a rule's task is for: the one it names, else whoever holds the conversation (its
    /// assignee, queue or department); nil when no one does.
    private func taskAssignee(_ named: String?, for conversation: Conversation) -> TaskAssignee? {
        guard let named else {
            if let user = conversation.assigneeID { return TaskAssignee(kind: .user, id: user) }
            if let queue = conversation.queueID { return TaskAssignee(kind: .queue, id: queue) }
            return conversation.departmentID.map { TaskAssignee(kind: .department, id: $0) }
        }
        if named.hasPrefix("queue:") { return TaskAssignee(kind: .queue, id: String(named.dropFirst("queue:".count))) }
        // The task store takes a department by key as well as by id.
        if named.hasPrefix("department:") { return TaskAssignee(kind: .department, id: String(named.dropFirst("department:".count))) }
        return TaskAssignee(kind: .user, id: named)
    }

    /// What the rules asked for besides routing: people told in their inbox, tasks made, signals
    /// emitted for other consumers.
    private func appendSignals(_ actions: RoutingActions, conversation: Conversation, interaction: Interaction?, outcome: RuleOutcome,
                               in tx: WriteTransaction) async throws {
        let rules = JSONValue.array(outcome.matched.map { .string($0.ruleID) })
        let ruleActor = Actor(kind: .system, id: outcome.matched.last.map { "rule:\($0.ruleID)" })
        if !actions.notify.isEmpty {
            let users = try await notifications.users(reachedBy: actions.notify, in: tx)
            let subject = NotificationSubject(customerID: conversation.customerID, conversationID: conversation.id,
                                              text: conversation.subject ?? interaction?.body ?? "")
            try await notifications.notify(users, kind: .rule, about: subject, actor: ruleActor, via: nil, in: tx)
        }
        for template in actions.createTasks {
            let draft = TaskDraft(title: template.title, description: template.description, priority: template.priority ?? conversation.priority,
                                  assignee: taskAssignee(template.assignee, for: conversation), conversationID: conversation.id,
                                  dueAt: template.dueInMinutes.map { (interaction?.occurredAt ?? tx.now()).adding(.seconds(Int64($0) * 60)) })
            do {
                let rule = template.ruleID ?? outcome.matched.last?.ruleID ?? ""
                _ = try await tasks.createTask(draft, source: "rule:\(rule)", by: Actor(kind: .system, id: "rule:\(rule)"), in: tx)
            } catch let error as StoreError where error.code == .invalidReference {
                // A rule naming someone since removed, or a conversation no one holds yet: the
                // message is routed all the same (the refusal is found before anything is written).
                continue
            }
        }
        if let signal = actions.emit {
            tx.append(EventDraft(type: "rapport.routing.signal", subject: conversation.customerID, data: [
                "signal": .string(signal), "conversation": conversation.json,
                "interaction_id": interaction.map { .string($0.id) } ?? .null, "rule_ids": rules,
            ]))
        }
    }
}

