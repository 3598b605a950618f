import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/notifications`, `/v1/notification-preferences` and `/v1/follows`: the signed-in user's
/// inbox of what concerns them, what they want to hear about, and what they follow.
struct NotificationsController<Notifications: NotificationStore, Customers: CustomerStore, Conversations: ConversationStore> {
    let notifications: Notifications
    let customers: Customers
    let conversations: Conversations
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "notifications", query: ["unread", "limit", "cursor"], list)
        routes.on(.get, "notifications/unread-count", unreadCount)
        routes.on(.post, "notifications/read-all", readAll)
        routes.on(.post, "notifications/:id/read", read)
        routes.on(.get, "notification-preferences", preferences)
        routes.on(.put, "notification-preferences", setPreferences)
        routes.on(.get, "settings/notification-digest", digestSettings)
        routes.on(.put, "settings/notification-digest", setDigestSettings)
        routes.on(.post, "follows", follow)
        routes.on(.get, "follows", query: ["customer_id", "conversation_id", "limit", "cursor"], follows)
        routes.on(.delete, "follows/:id", unfollow)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        let unread: Bool
        switch try request.query("unread") {
        case nil, "false": unread = false
        case "true": unread = true
        default: throw Problem.badRequest(field: "unread", "must be true or false")
        }
        let page = try await notifications.notifications(of: userID, unreadOnly: unread, limit: try request.limit(max: 200),
                                                         cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func unreadCount(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        return .json(["unread": .integer(Int64(try await notifications.unreadCount(of: userID)))])
    }

    @Sendable func read(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        let id = try context.parameters.require("id")
        let notifications = self.notifications
        guard let notification = try await services.writer.write({ tx in try await notifications.markRead(id, userID: userID, in: tx) }) else {
            throw StoreError.notFound("notification", id)
        }
        return .json(notification.json)
    }

    @Sendable func readAll(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        let notifications = self.notifications
        let count = try await services.writer.write { tx in try await notifications.markAllRead(userID: userID, in: tx) }
        return .json(["read": .integer(Int64(count))])
    }

    @Sendable func preferences(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        return .json(try await notifications.preferences(of: userID).json)
    }

    @Sendable func setPreferences(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let current = try await notifications.preferences(of: userID)
        let wanted = try NotificationPreferences.read(body, current: current)
        let notifications = self.notifications
        try await services.writer.write { tx in try await notifications.setPreferences(wanted, of: userID, in: tx) }
        return .json(wanted.json)
    }

    /// The channel the email digests go out from, and the console address their links point to.
    @Sendable func digestSettings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .json(try await notifications.digestSettings().json)
    }

    @Sendable func setDigestSettings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let settings = try DigestSettings.read(body)
        let notifications = self.notifications
        try await services.writer.write { tx in try await notifications.setDigestSettings(settings, actor: principal.actor, in: tx) }
        return .json(settings.json)
    }

    @Sendable func follow(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context, needs: .readInteractions)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        var reader = try InputReader(body)
        let customerID = reader.string("customer_id", maxLength: 64)
        let conversationID = reader.string("conversation_id", maxLength: 64)
        if customerID == nil, conversationID == nil, reader.issues.isEmpty {
            reader.fail("customer_id", "give customer_id or conversation_id: what to follow")
        }
        try reader.finish()
        let subject: String
        if let conversationID {
            guard let conversation = try await conversations.conversation(conversationID) else { throw StoreError.notFound("conversation", conversationID) }
            subject = conversation.customerID
        } else {
            let asked = customerID ?? ""
            guard let customer = try await customers.customer(asked), customer.deletedAt == nil else { throw StoreError.notFound("customer", asked) }
            subject = customer.mergedInto ?? asked
        }
        let notifications = self.notifications
        let (follow, created) = try await services.writer.write { tx in
            try await notifications.follow(userID: userID, customerID: subject, conversationID: conversationID, in: tx)
        }
        return .json(follow.json, status: created ? .created : .ok, headers: created ? [.location: "/v1/follows/\(follow.id)"] : [:])
    }

    @Sendable func follows(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        var customerID = try request.query("customer_id")
        if let asked = customerID { customerID = try await customers.customer(asked)?.mergedInto ?? asked }
        let page = try await notifications.follows(of: userID, customerID: customerID, conversationID: try request.query("conversation_id"),
                                                   limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func unfollow(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let userID = try Self.user(context)
        let id = try context.parameters.require("id")
        let notifications = self.notifications
        guard try await services.writer.write({ tx in try await notifications.unfollow(id, userID: userID, in: tx) }) else {
            throw StoreError.notFound("follow", id)
        }
        return Response(status: .noContent)
    }

    /// The signed-in user: notifications and follows are a person's, not a key's.
    static func user(_ context: RapportRequestContext, needs permission: Permission = .readEvents) throws -> String {
        let principal = try context.require(permission)
        guard let userID = principal.userID else {
            throw Problem.notAUser("notifications and follows belong to people: sign in as a user (an API key has none)")
        }
        return userID
    }
}
