import Hummingbird
import RapportCore
import RapportStore

/// `/v1/conversations`: department, queue and personal inboxes; assigning, resolving, tagging.
struct ConversationsController<Conversations: ConversationStore, Organization: OrganizationStore> {
    let conversations: Conversations
    let organization: Organization
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "conversations", query: ["department_id", "queue_id", "assignee_id", "unassigned", "customer_id", "status",
                                                 "suppressed", "limit", "cursor", "include"], list)
        routes.on(.get, "conversations/:id", show)
        routes.on(.patch, "conversations/:id", update)
        routes.on(.get, "conversations/:id/decisions", decisions)
    }

    /// An inbox: `department_id` (id or key), `queue_id`, `assignee_id`, `unassigned=true`,
    /// `customer_id`, `status` (comma-separated), `suppressed=true`; with counts per status.
    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        var filter = ConversationFilter()
        if let department = try request.query("department_id") {
            guard let found = try await organization.department(department) else {
                throw Problem.invalid(field: "department_id", "department \(department) does not exist")
            }
            filter.departmentID = found.id
        }
        filter.queueID = try request.query("queue_id")
        filter.assigneeID = try request.query("assignee_id")
        filter.unassigned = try flag(request, "unassigned")
        filter.suppressed = try flag(request, "suppressed")
        filter.customerID = try request.query("customer_id")
        if let text = try request.query("status") {
            for part in text.split(separator: ",") {
                guard let status = ConversationStatus(rawValue: String(part)) else {
                    throw Problem.invalid(field: "status", "expected one or more of \(ConversationStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.statuses.append(status)
            }
        }
        let inbox = try await conversations.conversations(matching: filter, limit: try request.limit(), cursor: try request.query("cursor"))
        var counts = JSONObject()
        for status in ConversationStatus.allCases { counts[status.rawValue] = .integer(inbox.counts[status] ?? 0) }
        let withCustomers = try Self.includesCustomer(request)
        return .json([
            "data": .array(inbox.page.items.map { conversation in
                guard withCustomers, var object = conversation.json.objectValue else { return conversation.json }
                let label = inbox.customers[conversation.customerID]
                object["customer"] = [
                    "id": .string(conversation.customerID), "name": label.map { .string($0.name) } ?? .null,
                    "company": label?.company.map(JSONValue.string) ?? .null,
                ]
                return .object(object)
            }),
            "next_cursor": inbox.page.nextCursor.map(JSONValue.string) ?? .null,
            "counts": .object(counts),
        ])
    }

    /// `include=customer`: each listed conversation carries its customer's name and company.
    static func includesCustomer(_ request: Request) throws -> Bool {
        guard let text = try request.query("include") else { return false }
        guard text == "customer" else { throw Problem.badRequest(field: "include", "the only value is customer") }
        return true
    }

    private func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let text = try request.query(name) else { return false }
        guard let value = Bool(text) else { throw Problem.invalid(field: name, "expected true or false") }
        return value
    }

    /// The conversation with its interactions and the routing decisions made for it.
    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        guard let conversation = try await conversations.conversation(id) else { throw StoreError.notFound("conversation", id) }
        var object = conversation.json.objectValue ?? JSONObject()
        object["interactions"] = .array(try await conversations.interactions(inConversation: id, limit: 500).map(\.json))
        object["decisions"] = .array(try await conversations.routingDecisions(conversationID: id, limit: 100).map(\.json))
        return .json(.object(object))
    }

    @Sendable func update(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        let changes = try ConversationChanges.read(try await request.jsonBody(limit: services.configuration.maxBodyBytes).value)
        let conversation = try await services.writer.write { tx in
            try await conversations.updateConversation(id: id, changes: changes, actor: principal.actor, in: tx)
        }
        return .json(conversation.json)
    }

    @Sendable func decisions(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        guard try await conversations.conversation(id) != nil else { throw StoreError.notFound("conversation", id) }
        return .page(Page(items: try await conversations.routingDecisions(conversationID: id, limit: 100), nextCursor: nil), \.json)
    }
}
