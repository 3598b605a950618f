import Foundation
import RapportCore
import Testing

@Suite("Routing rules: reading, order, stop, failures")
struct RoutingRuleTests {
    static let epoch = Timestamp(microseconds: 0)

    static func rule(_ id: String, position: Int64, stop: Bool = false, conditions: RoutingConditions = RoutingConditions(),
                     actions: RoutingActions, trigger: RoutingTrigger = .interactionCreated, enabled: Bool = true) -> RoutingRule {
        RoutingRule(id: id, name: id, trigger: trigger, position: position, enabled: enabled, stop: stop, conditions: conditions,
                    actions: actions, createdAt: epoch, updatedAt: epoch)
    }

    static func context(body: String, channelKind: String = "email", customer: JSONValue = ["attributes": [:]],
                        keywords: [String: [KeywordHit]] = [:], prediction: RoutingPrediction? = nil) -> RoutingContext {
        let interaction = Interaction(id: "int_1", customerID: "cus_1", channelID: "chn_1", direction: .inbound, kind: .message,
                                      subject: nil, body: body, metadata: [:], occurredAt: epoch, externalID: nil, createdAt: epoch)
        return RoutingContext(trigger: .interactionCreated, interaction: interaction, conversation: nil, customer: customer,
                              channel: ["id": "chn_1", "kind": .string(channelKind)], channelKind: channelKind,
                              prediction: prediction, keywordHits: keywords)
    }

    @Test("rules run in position order; later values replace earlier ones, tags add up, stop ends the run")
    func orderAndStop() {
        let book = RuleBook(rules: [
            Self.rule("c", position: 30, actions: RoutingActions(department: "sales")),
            Self.rule("a", position: 10, actions: RoutingActions(department: "service", priority: .high, tags: ["first"])),
            Self.rule("b", position: 20, stop: true, actions: RoutingActions(department: "finance", tags: ["second"])),
        ])
        let outcome = book.evaluate(Self.context(body: "hello"))
        #expect(outcome.matched.map(\.ruleID) == ["a", "b"])
        #expect(outcome.stoppedBy == "b")
        #expect(outcome.actions.department == "finance")
        #expect(outcome.actions.priority == .high)
        #expect(outcome.actions.tags == ["first", "second"])
    }

    @Test("conditions: expression, channel kinds, keyword sets any/none, prediction label and confidence")
    func conditions() {
        let book = RuleBook(rules: [
            Self.rule("expr", position: 1, conditions: RoutingConditions(expression: #"interaction.body.contains("refund")"#),
                      actions: RoutingActions(tags: ["expr"])),
            Self.rule("chat-only", position: 2, conditions: RoutingConditions(channels: ["chat"]), actions: RoutingActions(tags: ["chat"])),
            Self.rule("keywords", position: 3, conditions: RoutingConditions(keywordsAny: ["money"], keywordsNone: ["spam"]),
                      actions: RoutingActions(tags: ["keywords"])),
            Self.rule("label", position: 4, conditions: RoutingConditions(labels: ["refund_request"], minConfidence: 0.8),
                      actions: RoutingActions(tags: ["label"])),
        ])
        let hits = ["money": [KeywordHit(term: "refund", start: 5, end: 11)]]
        let sure = RoutingPrediction(label: "refund_request", confidence: 0.9, modelVersion: 1)
        let outcome = book.evaluate(Self.context(body: "want refund", keywords: hits, prediction: sure))
        #expect(outcome.actions.tags == ["expr", "keywords", "label"])
        #expect(outcome.matched.first { $0.ruleID == "keywords" }?.keywordSets == ["money"])

        let unsure = RoutingPrediction(label: "refund_request", confidence: 0.4, modelVersion: 1)
        let spam = hits.merging(["spam": [KeywordHit(term: "winner", start: 0, end: 6)]]) { $1 }
        let other = book.evaluate(Self.context(body: "nothing here", channelKind: "chat", keywords: spam, prediction: unsure))
        #expect(other.actions.tags == ["chat"])
    }

    @Test("a rule that fails at run time is reported and skipped; the others still apply")
    func runtimeFailure() {
        let book = RuleBook(rules: [
            Self.rule("broken", position: 1, conditions: RoutingConditions(expression: #"customer.attributes.tier == "gold""#),
                      actions: RoutingActions(priority: .urgent)),
            Self.rule("fine", position: 2, actions: RoutingActions(department: "service")),
        ])
        let outcome = book.evaluate(Self.context(body: "hi"))
        #expect(outcome.failures.map(\.ruleID) == ["broken"])
        #expect(outcome.failures.first?.reason.contains("tier") == true)
        #expect(outcome.actions.department == "service")
        #expect(outcome.actions.priority == nil)
        // With the attribute present the same rule matches.
        let gold = book.evaluate(Self.context(body: "hi", customer: ["attributes": ["tier": "gold"]]))
        #expect(gold.failures.isEmpty)
        #expect(gold.actions.priority == .urgent)
    }

    @Test("disabled rules and other triggers' rules do not run")
    func disabledAndTriggers() {
        let book = RuleBook(rules: [
            Self.rule("off", position: 1, actions: RoutingActions(tags: ["off"]), enabled: false),
            Self.rule("created", position: 2, actions: RoutingActions(tags: ["conversation"]), trigger: .conversationCreated),
        ])
        #expect(book.evaluate(Self.context(body: "x")).matched.isEmpty)
        #expect(book.hasRules(for: .conversationCreated))
        #expect(!book.hasRules(for: .interactionCreated))
    }

    @Test("bad definitions are refused with every problem named by field")
    func validation() throws {
        let body: JSONValue = [
            "name": "Refunds", "trigger": "interaction.made", "position": -1,
            "conditions": ["expression": "interaction.body.contains(", "keywords_any": ["missing-set"], "min_confidence": 2, "labels": [1]],
            "actions": ["priority": "sky-high", "notify": ["bob"], "colour": "red"],
        ]
        var fields: [String] = []
        do {
            _ = try RoutingRuleDraft.read(body, keywordSets: ["money"])
            Issue.record("expected the definition to be refused")
        } catch {
            fields = error.issues.map(\.field)
        }
        for field in ["trigger", "position", "conditions.expression", "conditions.keywords_any[0]", "conditions.min_confidence",
                      "conditions.labels[0]", "actions.priority", "actions.notify[0]", "actions.colour"] {
            #expect(fields.contains(field), "missing \(field) in \(fields)")
        }
        do {
            _ = try RoutingRuleDraft.read(["name": "x", "trigger": "interaction.created", "actions": [:]], keywordSets: [])
            Issue.record("empty actions accepted")
        } catch {
            #expect(error.issues.map(\.field) == ["actions"])
        }
        let good = try RoutingRuleDraft.read([
            "name": "Refunds", "trigger": "interaction.created", "stop": true,
            "conditions": ["expression": #"interaction.body.contains("refund")"#, "keywords_any": ["money"], "channels": ["email"]],
            "actions": ["department": "finance", "queue": "refunds", "tags": ["Refund", "refund "], "priority": "high"],
        ], keywordSets: ["money"])
        #expect(good.actions.tags == ["refund"])
        #expect(good.stop)
    }

    @Test("the plan: rules win, a confident label naming a department routes, an unsure one goes to triage")
    func plan() {
        var settings = RoutingSettings()
        settings.triageDepartment = "service"
        settings.triageQueue = "triage"
        let known: (String) -> Bool = { ["finance", "service"].contains($0) }
        let sure = RoutingPrediction(label: "finance/refunds", confidence: 0.9, modelVersion: 3)
        let unsure = RoutingPrediction(label: "finance", confidence: 0.2, modelVersion: 3)
        let byLabel = RoutingPlan.make(outcome: RuleOutcome(), prediction: sure, settings: settings, isKnownDepartment: known, alreadyRouted: false)
        #expect(byLabel.reason == "prediction")
        #expect(byLabel.actions.department == "finance")
        #expect(byLabel.actions.queue == "refunds")
        let triage = RoutingPlan.make(outcome: RuleOutcome(), prediction: unsure, settings: settings, isKnownDepartment: known, alreadyRouted: false)
        #expect(triage.reason == "triage")
        #expect(triage.actions.department == "service")
        var ruled = RuleOutcome()
        ruled.actions.department = "sales"
        #expect(RoutingPlan.make(outcome: ruled, prediction: sure, settings: settings, isKnownDepartment: known, alreadyRouted: false).reason == "rule")
        #expect(RoutingPlan.make(outcome: RuleOutcome(), prediction: sure, settings: settings, isKnownDepartment: known, alreadyRouted: true).reason == nil)
    }
}

@Suite("Routing settings")
struct RoutingSettingsTests {
    @Test("settings read back what they write, and refuse bad values by field")
    func roundTrip() throws {
        var settings = RoutingSettings()
        settings.triageDepartment = "service"
        settings.minConfidence = 0.7
        settings.threadWindowMinutes = 90
        #expect(try RoutingSettings.read(settings.json) == settings)
        settings.triageQueue = "triage"
        settings.businessHours = try BusinessHours.read(["time_zone": "Asia/Shanghai", "days": ["mon": ["09:00-18:00"]]], path: "business_hours")
        #expect(try RoutingSettings.read(settings.json) == settings)
        #expect(try RoutingSettings.read(RoutingSettings().json) == RoutingSettings())
        do {
            _ = try RoutingSettings.read(["thread_window_minutes": 0, "classifier": ["min_confidence": 3], "triage": [:]])
            Issue.record("accepted bad settings")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["thread_window_minutes", "classifier.min_confidence", "triage.department"])
        }
    }
}
