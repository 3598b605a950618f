import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// People at the company work together on a customer: notes with @mentions that notify, pins,
/// edits with history, department-private notes that never leave the department, follows and
/// each user's notifications.
@Suite("HTTP: notes, mentions and notifications")
struct NotesTests {
    /// A user of `department` (by key) signed in with a bearer token.
    struct Person {
        var id: String
        var token: String
        var auth: Auth { .bearer(token) }
    }

    static func person(_ api: API, email: String, name: String, role: String, department: String,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws -> Person {
        let departments = try await api.get("/v1/departments").items
        let departmentID = try #require(departments.first { $0["key"]?.stringValue == department }?["id"]?.stringValue,
                                        sourceLocation: sourceLocation)
        let made = try await api.post("/v1/users", ["email": .string(email), "name": .string(name), "role": .string(role),
                                                    "department_id": .string(departmentID)])
        let id = try #require(made.json["id"]?.stringValue, "\(made.text)", sourceLocation: sourceLocation)
        let invite = try await api.post("/v1/password-setups", ["user_id": .string(id)])
        let setup = try #require(invite.json["token"]?.stringValue, "\(invite.text)", sourceLocation: sourceLocation)
        let password = "a long enough password for \(name)"
        let done = try await api.post("/v1/password-setups/complete", ["token": .string(setup), "password": .string(password)], auth: .none)
        try #require(done.status == .created, "\(done.text)", sourceLocation: sourceLocation)
        let session = try await api.post("/v1/session", ["email": .string(email), "password": .string(password), "cookie": false], auth: .none)
        let token = try #require(session.json["token"]?.stringValue, "\(session.text)", sourceLocation: sourceLocation)
        return Person(id: id, token: token)
    }

    static func unread(_ api: API, _ person: Person) async throws -> Int64? {
        try await api.get("/v1/notifications/unread-count", auth: person.auth).json["unread"]?.intValue
    }

    @Test("a note mentions a department and a person; both are notified, the author is not", arguments: Backend.available)
    func mentionsNotify(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await Self.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await Self.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let bo = try await Self.person(api, email: "bo@example.com", name: "Bo Chen", role: "manager", department: "sales")
            let customer = try #require(try await api.createCustomer(["name": "Mia", "identities": ["email:mia@example.com"]])["id"]?.stringValue)

            let written = try await api.post("/v1/notes", [
                "customer_id": .string(customer),
                "body": .string("Wants a bigger plan: @sales please call. cc @[李伟](user:\(li.id)), and @nobody\n\n**Soon**"),
            ], auth: ana.auth)
            #expect(written.status == .created, "\(written.text)")
            let noteID = try #require(written.json["id"]?.stringValue)
            #expect(written.headers[.location] == "/v1/notes/\(noteID)")
            #expect(written.headers[.eTag] == etag(noteID, version: 1))
            #expect(written.json["mentions"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } == ["department", "user"])
            #expect(written.json["unresolved_mentions"]?[0]?["text"]?.stringValue == "@nobody")
            #expect(written.json["unresolved_mentions"]?[0]?["reason"]?.stringValue == "unknown")
            #expect(written.json["author"]?["id"]?.stringValue == ana.id)
            #expect(written.json["author_name"]?.stringValue == "Ana Lima")

            // Read your writes: the notifications are there when the 201 is.
            #expect(try await Self.unread(api, li) == 1)
            #expect(try await Self.unread(api, bo) == 1)
            #expect(try await Self.unread(api, ana) == 0)
            let liInbox = try await api.get("/v1/notifications", auth: li.auth).items
            #expect(liInbox.first?["kind"]?.stringValue == "mention")
            #expect(liInbox.first?["via"] == .null)
            #expect(liInbox.first?["note_id"]?.stringValue == noteID)
            #expect(liInbox.first?["customer_id"]?.stringValue == customer)
            #expect(liInbox.first?["excerpt"]?.stringValue?.contains("@李伟") == true)
            let boInbox = try await api.get("/v1/notifications", auth: bo.auth).items
            #expect(boInbox.first?["via"]?["kind"]?.stringValue == "department")

            // The author follows the customer: a note by someone else reaches them as a follower.
            _ = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "Called, no answer."], auth: li.auth)
            let anaInbox = try await api.get("/v1/notifications?unread=true", auth: ana.auth).items
            #expect(anaInbox.map { $0["kind"]?.stringValue } == ["note_on_followed"])

            // Marking read, one and all.
            let first = try #require(liInbox.first?["id"]?.stringValue)
            let read = try await api.post("/v1/notifications/\(first)/read", [:], auth: li.auth)
            #expect(read.json["read_at"]?.stringValue != nil, "\(read.text)")
            #expect(try await Self.unread(api, li) == 0)
            expectProblem(try await api.post("/v1/notifications/\(first)/read", [:], auth: bo.auth), .notFound)
            #expect(try await api.post("/v1/notifications/read-all", [:], auth: ana.auth).json["read"]?.intValue == 1)
            #expect(try await Self.unread(api, ana) == 0)

            // Preferences: a kind turned off makes no notification.
            let off = try await api.request(.put, "/v1/notification-preferences", json: ["kinds": ["mention": false]], auth: li.auth)
            #expect(off.json["kinds"]?["mention"] == .bool(false), "\(off.text)")
            #expect(off.json["kinds"]?["note_on_followed"] == .bool(true))
            expectProblem(try await api.request(.put, "/v1/notification-preferences", json: ["kinds": ["shout": true]], auth: li.auth),
                          .unprocessableContent, field: "kinds.shout")
            _ = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "@liwei look"], auth: ana.auth)
            // Li follows the customer since writing a note there: the note still reaches Li, as a follower.
            #expect(try await api.get("/v1/notifications?unread=true", auth: li.auth).items.map { $0["kind"]?.stringValue } == ["note_on_followed"])

            // Notifications are a person's: an API key has none.
            expectProblem(try await api.get("/v1/notifications"), .conflict, type: "not-a-user")
        }
    }

    @Test("a department's private note stays in the department, on every read path", arguments: Backend.available)
    func privateNotesStayInTheirDepartment(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await Self.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let sam = try await Self.person(api, email: "sam@example.com", name: "Sam Service", role: "agent", department: "service")
            let li = try await Self.person(api, email: "liwei@example.com", name: "李伟", role: "manager", department: "sales")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let head = try await api.eventHead()

            let secret = try await api.post("/v1/notes", ["customer_id": .string(customer), "visibility": "department",
                                                          "body": "Refund fraud suspected @sam @liwei"], auth: ana.auth)
            #expect(secret.status == .created, "\(secret.text)")
            let secretID = try #require(secret.json["id"]?.stringValue)
            #expect(secret.json["unresolved_mentions"]?[0]?["reason"]?.stringValue == "cannot_see")
            let open = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "Likes email @liwei"], auth: ana.auth)
            let openID = try #require(open.json["id"]?.stringValue)

            // REST: the note itself, the lists, the timeline, its revisions and files.
            #expect(try await api.get("/v1/notes/\(secretID)", auth: sam.auth).status == .ok)
            expectProblem(try await api.get("/v1/notes/\(secretID)", auth: li.auth), .notFound)
            expectProblem(try await api.get("/v1/notes/\(secretID)"), .notFound)
            expectProblem(try await api.get("/v1/notes/\(secretID)/revisions", auth: li.auth), .notFound)
            expectProblem(try await api.patch("/v1/notes/\(secretID)", ["pinned": true], auth: li.auth), .notFound)
            expectProblem(try await api.delete("/v1/notes/\(secretID)", auth: li.auth), .notFound)
            #expect(try await api.get("/v1/notes?customer_id=\(customer)", auth: li.auth).items.compactMap { $0["id"]?.stringValue } == [openID])
            #expect(try await api.get("/v1/notes?customer_id=\(customer)", auth: sam.auth).items.compactMap { $0["id"]?.stringValue }
                    == [openID, secretID])
            #expect(try await api.get("/v1/notes", auth: li.auth).items.compactMap { $0["id"]?.stringValue } == [openID])
            let activity = try await api.get("/v1/customers/\(customer)/activity", auth: li.auth)
            #expect(activity.items.contains { $0["note"]?["id"]?.stringValue == openID }, "\(activity.text)")
            #expect(!activity.text.contains(secretID))
            #expect(try await api.get("/v1/customers/\(customer)/activity", auth: sam.auth).text.contains(secretID))

            // Notifications: only the department's people hear of it.
            #expect(try await Self.unread(api, sam) == 1)
            #expect(try await Self.unread(api, li) == 1)
            #expect(try await api.get("/v1/notifications", auth: li.auth).items.first?["note_id"]?.stringValue == openID)

            // The log: the private note's events carry no text, and only the department reads them.
            let forSales = try await api.get("/v1/events?after=\(head)", auth: li.auth)
            #expect(!forSales.text.contains(secretID), "\(forSales.text)")
            #expect(forSales.text.contains(openID))
            let forAdmin = try await api.get("/v1/events?after=\(head)")
            #expect(!forAdmin.text.contains(secretID))
            #expect(!forAdmin.text.contains("\"rapport.notification.created\""))
            let forService = try await api.get("/v1/events?after=\(head)", auth: sam.auth)
            let created = forService.items.first { $0["data"]?["note"]?["id"]?.stringValue == secretID }
            #expect(created?["type"]?.stringValue == "rapport.note.created")
            #expect(created?["data"]?["note"]?["body"] == nil)
            #expect(created?["data"]?["note"]?["visibility"]?.stringValue == "department")

            // SSE: the sales manager's stream gets the open note and their own notification, nothing else.
            let stream = try await api.openStream("/v1/events/stream?after=\(head)&limit=2", bearer: li.token)
            let body = try await stream.body()
            #expect(!body.contains(secretID), "\(body)")
            #expect(body.contains("event: rapport.note.created"), "\(body)")
            #expect(body.contains("event: rapport.notification.created"), "\(body)")
            #expect(body.contains(li.id))

            // WebSocket: the same decision — the manager's socket replays the open note, never the
            // private one, which Sam's socket (the department's) does get.
            try await api.withEventSocket(secret: li.token) { socket in
                try await socket.subscribe("all", after: String(head))
                try await socket.waitUntil("the open note's event") { $0.events("all").contains { $0.jsonString.contains(openID) } }
                #expect(!socket.messages.contains { $0.jsonString.contains(secretID) })
            }
            try await api.withEventSocket(secret: sam.token) { socket in
                try await socket.subscribe("all", after: String(head))
                try await socket.waitUntil("the private note's event") { $0.events("all").contains { $0.jsonString.contains(secretID) } }
                // The note's event carries no text (Sam's own notification quotes it, to Sam).
                #expect(!socket.events("all").contains { $0.jsonString.contains("rapport.note.") && $0.jsonString.contains("Refund fraud") })
            }

            // Search: the private note's words find it in its department only.
            #expect(try await api.get("/v1/notes?q=refund", auth: li.auth).items.isEmpty)
            #expect(try await api.get("/v1/notes?q=refund").items.isEmpty, "an admin key is in no department")
            #expect(try await api.get("/v1/notes?q=REFUND%20fraud", auth: sam.auth).items.compactMap { $0["id"]?.stringValue } == [secretID])
            #expect(try await api.get("/v1/notes?q=email", auth: li.auth).items.compactMap { $0["id"]?.stringValue } == [openID])
            #expect(try await api.get("/v1/notes?q=100%25", auth: sam.auth).items.isEmpty, "wildcards are text")
            expectProblem(try await api.get("/v1/notes?q=a", auth: sam.auth), .badRequest, field: "q")
            #expect(!(try await api.get("/v1/customers/search?q=refund", auth: li.auth).text.contains(secretID)))
        }
    }

    @Test("followers of a customer or a conversation hear when the customer writes; others do not", arguments: Backend.available)
    func followersHearReplies(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await Self.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await Self.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let bo = try await Self.person(api, email: "bo@example.com", name: "Bo Chen", role: "agent", department: "sales")
            let email = try await api.createChannel(kind: "email", name: "support inbox")
            let first = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "Where is order 12?")
            let customer = try #require(first["customer_id"]?.stringValue)
            // The first message routed before anyone follows: only what arrives after the follows tells them.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let conversation = try #require(try await IngestThreadingTests.conversations(api, customer: customer).first?["id"]?.stringValue)
            #expect(try await api.post("/v1/follows", ["conversation_id": .string(conversation)], auth: ana.auth).status == .created)
            #expect(try await api.post("/v1/follows", ["customer_id": .string(customer)], auth: li.auth).status == .created)
            _ = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "Still waiting <b>for</b> it\nplease")
            // The router's consumer tells the followers: wait for its position past the message.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            for person in [ana, li] {
                let inbox = try await api.get("/v1/notifications", auth: person.auth).items
                #expect(inbox.count == 1, "\(inbox)")
                #expect(inbox.first?["kind"]?.stringValue == "reply_on_followed")
                #expect(inbox.first?["conversation_id"]?.stringValue == conversation)
                #expect(inbox.first?["excerpt"]?.stringValue == "Still waiting <b>for</b> it please")
            }
            #expect(try await api.get("/v1/notifications", auth: bo.auth).items.isEmpty)
            // Turned off, the kind makes no more.
            _ = try await api.request(.put, "/v1/notification-preferences", json: ["kinds": ["reply_on_followed": false]], auth: li.auth)
            _ = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "Hello again?")
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            #expect(try await Self.unread(api, li) == 1)
            #expect(try await Self.unread(api, ana) == 2)
        }
    }

    @Test("the mention directory is kept between notes and read again as soon as users, departments or queues change",
          arguments: Backend.available)
    func mentionDirectoryFollowsTheOrganization(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await Self.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            func unresolved(_ body: String) async throws -> [String] {
                let note = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": .string(body)], auth: ana.auth)
                #expect(note.status == .created, "\(note.text)")
                return note.json["unresolved_mentions"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
            }
            #expect(try await unresolved("Ask @zoe.new") == ["@zoe.new"])
            // A colleague created just now is mentionable in the very next note (read your writes).
            let zoe = try await api.post("/v1/users", ["email": "zoe.new@example.com", "name": "Zoe New", "role": "agent"])
            #expect(zoe.status == .created, "\(zoe.text)")
            #expect(try await unresolved("Ask @zoe.new").isEmpty)
            // A new department and a new queue too; a renamed department by its new key.
            let legal = try await api.post("/v1/departments", ["key": "legal", "name": "Legal"])
            let legalID = try #require(legal.json["id"]?.stringValue)
            #expect(try await unresolved("Ask @legal").isEmpty)
            #expect(try await unresolved("Ask @contracts") == ["@contracts"])
            let queue = try await api.post("/v1/queues", ["department_id": .string(legalID), "key": "contracts", "name": "Contracts",
                                                          "member_ids": [.string(try #require(zoe.json["id"]?.stringValue))]])
            #expect(queue.status == .created, "\(queue.text)")
            #expect(try await unresolved("Ask @contracts").isEmpty)
            #expect(try await api.request(.patch, "/v1/departments/\(legalID)", json: ["key": "juridique"]).status == .ok)
            #expect(try await unresolved("Ask @legal") == ["@legal"])
            #expect(try await unresolved("Ask @juridique").isEmpty)
        }
    }

    @Test("notes are edited with their history, pinned by anyone, changed by their author, and bad input is refused",
          arguments: Backend.available)
    func editsAndBadInput(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await Self.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await Self.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let bo = try await Self.person(api, email: "bo@example.com", name: "Bo Chen", role: "agent", department: "sales")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let note = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "First @liwei"], auth: ana.auth)
            let id = try #require(note.json["id"]?.stringValue)

            expectProblem(try await api.patch("/v1/notes/\(id)", ["body": "Mine now"], auth: li.auth), .forbidden)
            let pinned = try await api.patch("/v1/notes/\(id)", ["pinned": true], auth: li.auth)
            #expect(pinned.json["pinned"] == .bool(true), "\(pinned.text)")
            #expect(pinned.json["edited_at"] == .null)
            expectProblem(try await api.patch("/v1/notes/\(id)", ["body": "Second"], auth: ana.auth,
                                              headers: [.ifMatch: etag(id, version: 1)]), .preconditionFailed)
            let edited = try await api.patch("/v1/notes/\(id)", ["body": "Second @liwei @bo"], auth: ana.auth,
                                             headers: [.ifMatch: etag(id, version: 2)])
            #expect(edited.status == .ok, "\(edited.text)")
            #expect(edited.json["version"]?.intValue == 3)
            #expect(edited.json["edited_at"]?.stringValue != nil)
            let revisions = try await api.get("/v1/notes/\(id)/revisions", auth: bo.auth).items
            #expect(revisions.map { $0["body"]?.stringValue } == ["First @liwei"])
            // Only the newly mentioned hear of the edit.
            #expect(try await Self.unread(api, li) == 1)
            #expect(try await Self.unread(api, bo) == 1)
            #expect(try await api.get("/v1/notes?customer_id=\(customer)&pinned=true", auth: bo.auth).items.count == 1)

            // Bad input: named fields, 404s, 413, and nothing stored.
            expectProblem(try await api.post("/v1/notes", ["customer_id": "cus_missing", "body": "x"], auth: ana.auth), .notFound)
            expectProblem(try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "x", "department_id": "dep_missing"],
                                             auth: ana.auth), .unprocessableContent, field: "department_id")
            expectProblem(try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "  "], auth: ana.auth),
                          .unprocessableContent, field: "body")
            let long = String(repeating: "长", count: NoteDraft.maxBodyCharacters + 1)
            expectProblem(try await api.post("/v1/notes", ["customer_id": .string(customer), "body": .string(long)], auth: ana.auth),
                          .contentTooLarge, type: "note-too-long", field: "body")
            expectProblem(try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "x", "visibility": "department"]),
                          .forbidden)
            #expect(try await api.get("/v1/notes?customer_id=\(customer)", auth: ana.auth).items.count == 1)

            // Files, and the delete that only the author (or a manager) may make.
            let withFile = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "Quote attached",
                                                            "attachments": [["filename": "quote.txt", "content_type": "text/plain",
                                                                             "content_base64": "UHJpY2U6IDQy"]]], auth: ana.auth)
            let fileNote = try #require(withFile.json["id"]?.stringValue, "\(withFile.text)")
            let fileID = try #require(withFile.json["attachments"]?[0]?["id"]?.stringValue)
            let download = try await api.get("/v1/notes/\(fileNote)/files/\(fileID)", auth: li.auth)
            #expect(download.text == "Price: 42")
            expectProblem(try await api.delete("/v1/notes/\(fileNote)", auth: li.auth), .forbidden)
            #expect(try await api.delete("/v1/notes/\(fileNote)", auth: ana.auth).status == .noContent)
            expectProblem(try await api.get("/v1/notes/\(fileNote)", auth: ana.auth), .notFound)
            expectProblem(try await api.get("/v1/notes/\(fileNote)/files/\(fileID)", auth: ana.auth), .notFound)

            // Follows: once per subject, listed, removed.
            let follow = try await api.post("/v1/follows", ["customer_id": .string(customer)], auth: li.auth)
            #expect(follow.status == .created, "\(follow.text)")
            #expect(try await api.post("/v1/follows", ["customer_id": .string(customer)], auth: li.auth).status == .ok)
            let followID = try #require(follow.json["id"]?.stringValue)
            #expect(try await api.get("/v1/follows?customer_id=\(customer)", auth: li.auth).items.count == 1)
            #expect(try await api.delete("/v1/follows/\(followID)", auth: li.auth).status == .noContent)
            expectProblem(try await api.post("/v1/follows", ["customer_id": "cus_missing"], auth: li.auth), .notFound)
        }
    }
}
