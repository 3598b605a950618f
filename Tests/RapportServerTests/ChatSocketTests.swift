import Crypto
import Foundation
import Synchronization
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing
import WSClient

extension API {
    /// Opens the chat widget's socket of `channelID` from a page at `origin`; runs `body`, then closes.
    func withChatSocket<T: Sendable>(_ channelID: String, origin: String?, _ body: @Sendable (EventSocket) async throws -> T) async throws -> T {
        let port = try #require(client.port)
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let socket = EventSocket(outgoing: continuation)
        var configuration = WebSocketClientConfiguration()
        if let origin { configuration.additionalHeaders[.origin] = origin }
        let connection = Task { [configuration] in
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/chat/\(channelID)/socket", configuration: configuration,
                                              logger: TestDatabases.logger) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { socket.receive((try? JSONParser.parse(text)) ?? .string(text)) }
                    }
                    group.cancelAll()
                }
            }
        }
        do {
            let result = try await body(socket)
            socket.finish()
            _ = try await connection.value
            return result
        } catch {
            socket.finish()
            connection.cancel()
            throw error
        }
    }
}

@Suite("Web chat: the widget's socket") struct ChatSocketTests {
    let secret = "0123456789abcdef-identity"

    @Test func aVisitorChatsWithAnAgentAndBecomesTheCustomerTheyAre() async throws {
        try await withApp { api, _ in
            // A channel open to one shop's pages refuses a page elsewhere (the test client's Origin is ws://127.0.0.1).
            let guarded = try await api.post("/v1/channels", ["kind": "chat", "name": "Shop chat", "settings": ["widget": [
                "allowed_origins": ["https://shop.example"]]]])
            let guardedID = try #require(guarded.json["id"]?.stringValue)
            let port = try #require(api.client.port)
            let opened = Mutex(false)
            _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/chat/\(guardedID)/socket", logger: TestDatabases.logger) { _, _, _ in
                opened.withLock { $0 = true }
            }
            #expect(opened.withLock { $0 } == false)

            let created = try await api.post("/v1/channels", ["kind": "chat", "name": "Web chat", "settings": ["widget": [
                "greeting": "Hi! How can we help?", "colour": "#0b5fff", "identity_secret": .string(secret)]]])
            try #require(created.status == .created, "\(created.text)")
            let channelID = try #require(created.json["id"]?.stringValue)
            #expect(created.json["settings"]?["widget"]?["identity_secret"] == nil)
            let ana = try await api.createCustomer(["name": "Ana Lima", "identities": ["email:ana@example.com"]])
            let anaID = try #require(ana["id"]?.stringValue)

            let token = try await api.withChatSocket(channelID, origin: nil) { socket in
                socket.send(["type": "hello"])
                try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                let welcome = try #require(socket.messages.first { $0["type"]?.stringValue == "welcome" })
                #expect(welcome["greeting"]?.stringValue == "Hi! How can we help?")
                let token = try #require(welcome["visitor"]?.stringValue)
                socket.send(["type": "message", "client_id": "c-1", "text": "Where is <b>my</b> order?"])
                try await socket.waitUntil("the message acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "c-1" } }

                // The agent answers in the conversation; the visitor sees it at once.
                let interactions = try await api.get("/v1/interactions?channel_id=\(channelID)").items
                let customerID = try #require(interactions.first?["customer_id"]?.stringValue)
                let reply = try await api.post("/v1/interactions", ["channel_id": .string(channelID), "customer_id": .string(customerID),
                                                                    "direction": "outbound", "kind": "message", "body": "It ships today.",
                                                                    "metadata": ["thread_id": .string("chat:\(token)")]])
                #expect(reply.status == .created)
                try await socket.waitUntil("the agent's reply") { $0.messages.contains { $0["text"]?.stringValue == "It ships today." } }
                // The visitor says who they are: this chat joins Ana's record.
                socket.send(["type": "identify", "email": "Ana@Example.com"])
                socket.send(["type": "message", "client_id": "c-2", "text": "I am Ana"])
                try await socket.waitUntil("the second message acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "c-2" } }
                return token
            }
            // Her name stays: the visitor's record was newer, but its name was made up.
            #expect(try await api.get("/v1/customers/\(anaID)").json["name"]?.stringValue == "Ana Lima")
            let timeline = try await api.get("/v1/interactions?customer_id=\(anaID)").items.compactMap { $0["body"]?.stringValue }
            #expect(timeline == ["Where is <b>my</b> order?", "It ships today.", "I am Ana"])

            // Back on the page later: the history, and a message sent again lands once.
            try await api.withChatSocket(channelID, origin: nil) { socket in
                socket.send(["type": "hello", "visitor": .string(token)])
                try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                let history = socket.messages.first { $0["type"]?.stringValue == "welcome" }?["history"]?.arrayValue ?? []
                #expect(history.compactMap { $0["from"]?.stringValue } == ["visitor", "agent", "visitor"])
                socket.send(["type": "message", "client_id": "c-2", "text": "I am Ana"])
                try await socket.waitUntil("the resend acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "c-2" } }
                // The message it had already: the same interaction.
                let resent = socket.messages.first { $0["client_id"]?.stringValue == "c-2" }
                #expect(resent?["id"] == history.last?["id"])
                // A user the site vouches for with a wrong hash is not believed.
                socket.send(["type": "hello", "user_id": "u-1", "user_hash": .string(String(repeating: "0", count: 64))])
                try await socket.waitUntil("an error") { $0.messages.contains { $0["type"]?.stringValue == "error" } }
            }
            #expect(try await api.get("/v1/interactions?customer_id=\(anaID)").items.count == 3)

            // A signed-in user the site vouches for with the right hash is that customer from the start.
            let hash = HMAC<SHA256>.authenticationCode(for: Array("user-42".utf8), using: SymmetricKey(data: Array(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            try await api.withChatSocket(channelID, origin: nil) { socket in
                socket.send(["type": "hello", "user_id": "user-42", "user_hash": .string(hash), "email": "ana@example.com"])
                try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                socket.send(["type": "message", "client_id": "v-1", "text": "Signed in now"])
                try await socket.waitUntil("acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "v-1" } }
            }
            let identities = try await api.get("/v1/customers/\(anaID)").json["identities"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(identities.contains { $0.hasPrefix("external:chat-") && $0.hasSuffix(":user-42") })
            #expect(try await api.get("/v1/interactions?customer_id=\(anaID)").items.count == 4)
        }
    }

    @Test func typingAndPresencePassBetweenTheWidgetAndTheConsoleWithoutTouchingTheLog() async throws {
        try await withApp { api, _ in
            let channelID = try await api.createChannel(kind: "chat", name: "Web chat")
            let token = try await api.withChatSocket(channelID, origin: nil) { socket in
                socket.send(["type": "hello"])
                try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                let token = try #require(socket.messages.first { $0["type"]?.stringValue == "welcome" }?["visitor"]?.stringValue)
                socket.send(["type": "message", "client_id": "c-1", "text": "Hello?"])
                try await socket.waitUntil("acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "c-1" } }
                let conversations = try await api.get("/v1/conversations?status=open,pending").items
                let conversation = try #require(conversations.first { $0["thread_key"]?.stringValue == "chat:\(token)" })
                let id = try #require(conversation["id"]?.stringValue)

                // The console watching the conversation: the visitor is here, and typing.
                let head = try await api.eventHead()
                let watch = try await api.openStream("/v1/conversations/\(id)/typing?heartbeat=1")
                #expect(watch.status == .ok)
                #expect(watch.contentType == "text/event-stream")
                try await watch.waitFor("event: presence\ndata: {\"online\":true}")
                socket.send(["type": "typing"])
                try await watch.waitFor("event: typing\ndata: {\"from\":\"visitor\"}")

                // The agent types: the widget hears of it.
                let typed = try await api.post("/v1/conversations/\(id)/typing", .object([:]))
                #expect(typed.status == .noContent)
                try await socket.waitUntil("the agent typing") { $0.messages.contains { $0["type"]?.stringValue == "typing" && $0["from"]?.stringValue == "agent" } }
                // Nothing of it is on the log (the router may have appended its decisions meanwhile).
                let since = try await api.events(after: head).compactMap { $0["type"]?.stringValue }
                #expect(since.allSatisfy { $0.hasPrefix("rapport.routing.") || $0.hasPrefix("rapport.conversation.") }, "\(since)")
                // The visitor leaves: the console hears that too.
                return (token, watch)
            }
            try await token.1.waitFor("event: presence\ndata: {\"online\":false}")

            // Typing is a chat's: another conversation is 409, an unknown one 404.
            let email = try await api.createChannel(kind: "email", name: "Mail")
            let customer = try await api.createCustomer(["name": "Bo", "identities": ["email:bo@example.com"]])
            let customerID = try #require(customer["id"]?.stringValue)
            let stored = try await api.post("/v1/interactions", ["channel_id": .string(email), "customer_id": .string(customerID),
                                                                 "direction": "inbound", "kind": "email", "body": "Hi"])
            #expect(stored.status == .created)
            let conversationID = try #require(try await api.get("/v1/conversations?customer_id=\(customerID)").items.first?["id"]?.stringValue)
            expectProblem(try await api.post("/v1/conversations/\(conversationID)/typing", .object([:])), .conflict)
            expectProblem(try await api.get("/v1/conversations/cnv_nope/typing"), .notFound)
            #expect(!token.0.isEmpty)
        }
    }

    @Test func theWidgetScriptIsServedForAnySiteToLoad() async throws {
        try await withApp { api, _ in
            let script = try await api.get("/chat/widget.js", auth: .none)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.cacheControl] == "public, max-age=300")
            #expect(script.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] == "cross-origin")
            #expect(script.text.contains("/chat/") && script.text.contains("attachShadow"))
            // Customer text is data: the widget never parses what it shows as markup.
            #expect(!script.text.contains("innerHTML") && !script.text.contains("insertAdjacentHTML"))
        }
    }

    @Test func filesGoBothWaysAndOnlyTheirIdsOpenThemToTheVisitor() async throws {
        try await withApp { api, _ in
            let channelID = try await api.createChannel(kind: "chat", name: "Web chat")
            let photo = Array("not really a PNG, but bytes all the same".utf8) + [0, 255, 1]
            let encoded = Data(photo).base64EncodedString()
            let (token, fileURL, conversationID) = try await api.withChatSocket(channelID, origin: nil) { socket in
                socket.send(["type": "hello"])
                try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                let token = try #require(socket.messages.first { $0["type"]?.stringValue == "welcome" }?["visitor"]?.stringValue)
                // A file that is not base64, and one too large, are refused naming the field; nothing is stored.
                socket.send(["type": "attachment", "client_id": "f-0", "file": ["filename": "x.png", "content_type": "image/png", "content_base64": "%%%"]])
                try await socket.waitUntil("the bad file refused") { $0.messages.contains { $0["message"]?.stringValue?.contains("file.content_base64") ?? false } }
                socket.send(["type": "attachment", "client_id": "f-1", "text": "My receipt",
                             "file": ["filename": "receipt <1>.png", "content_type": "image/png", "content_base64": .string(encoded)]])
                try await socket.waitUntil("the file acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == "f-1" } }
                let line = try #require(socket.messages.first { $0["client_id"]?.stringValue == "f-1" })
                #expect(line["text"]?.stringValue == "My receipt")
                let file = try #require(line["attachments"]?[0])
                #expect(file["filename"]?.stringValue == "receipt <1>.png")
                #expect(file["size"]?.intValue == Int64(photo.count))
                let url = try #require(file["url"]?.stringValue)

                // The agent answers with a file of their own; the widget gets it with its address.
                let conversations = try await api.get("/v1/conversations?status=open,pending").items
                let conversationID = try #require(conversations.first { $0["thread_key"]?.stringValue == "chat:\(token)" }?["id"]?.stringValue)
                let reply = try await api.post("/v1/conversations/\(conversationID)/chat-replies", [
                    "text": "Here is the label", "attachments": [["filename": "label.pdf", "content_type": "application/pdf",
                                                                  "content_base64": .string(Data("%PDF-1.4 label".utf8).base64EncodedString())]]])
                #expect(reply.status == .created, "\(reply.text)")
                try await socket.waitUntil("the agent's file") { $0.messages.contains { $0["text"]?.stringValue == "Here is the label" } }
                let agentLine = try #require(socket.messages.first { $0["text"]?.stringValue == "Here is the label" })
                #expect(agentLine["from"]?.stringValue == "agent")
                let labelURL = try #require(agentLine["attachments"]?[0]?["url"]?.stringValue)
                let label = try await api.get(labelURL, auth: .none)
                #expect(label.status == .ok)
                #expect(label.text == "%PDF-1.4 label")
                #expect(label.headers[.contentType] == "application/pdf")
                return (token, url, conversationID)
            }
            // The visitor's address for the file needs no key; it is a download, never a page.
            let download = try await api.get(fileURL, auth: .none)
            #expect(download.status == .ok)
            #expect(download.bytes == photo)
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(download.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox")
            // Another channel's address, or a made-up id, finds nothing.
            let other = try await api.createChannel(kind: "chat", name: "Other chat")
            let fileID = String(fileURL.split(separator: "/").last ?? "")
            expectProblem(try await api.get("/chat/\(other)/files/\(fileID)", auth: .none), .notFound)
            expectProblem(try await api.get("/chat/\(channelID)/files/chf_0123456789abcdef0123456789abcdef", auth: .none), .notFound)

            // Agents read it through the interaction, with a key.
            let messages = try await api.get("/v1/conversations/\(conversationID)").json["interactions"]?.arrayValue ?? []
            let sent = try #require(messages.first { $0["metadata"]?["client_id"]?.stringValue == "f-1" })
            let interactionID = try #require(sent["id"]?.stringValue)
            #expect(try await api.get("/v1/interactions/\(interactionID)/files/\(fileID)").status == .ok)
            expectProblem(try await api.get("/v1/interactions/\(interactionID)/files/\(fileID)", auth: .none), .unauthorized)
            // A reply needs words, and a chat to go to.
            expectProblem(try await api.post("/v1/conversations/\(conversationID)/chat-replies", ["text": " "]), .unprocessableContent, field: "text")
            let email = try await api.createChannel(kind: "email", name: "Mail")
            let customer = try await api.createCustomer(["name": "Bo", "identities": ["email:bo@example.com"]])
            let customerID = try #require(customer["id"]?.stringValue)
            _ = try await api.post("/v1/interactions", ["channel_id": .string(email), "customer_id": .string(customerID),
                                                        "direction": "inbound", "kind": "email", "body": "Hi"])
            let mailConversation = try #require(try await api.get("/v1/conversations?customer_id=\(customerID)").items.first?["id"]?.stringValue)
            expectProblem(try await api.post("/v1/conversations/\(mailConversation)/chat-replies", ["text": "Hi"]), .conflict,
                          type: "not-a-chat")
            // …whatever the body says.
            expectProblem(try await api.post("/v1/conversations/\(mailConversation)/chat-replies", ["text": " "]), .conflict)
            #expect(!token.isEmpty)
        }
    }

    @Test("with a model, a visitor's message is analysed before its write and routed by its prediction in the commit that stores it")
    func aVisitorsMessageIsRoutedInItsOwnCommit() async throws {
        try await withApp { api, _ in
            let finance = try await RoutingAtIngestTests.classifyWithAModel(api)
            let channelID = try await api.createChannel(kind: "chat", name: "Web chat")
            // Each try is a new visitor, so that their message opens a conversation to route; the
            // router is caught up before it (as routing at ingest needs).
            var routedAtIngest: String?
            for attempt in 0..<20 where routedAtIngest == nil {
                routedAtIngest = try await api.withChatSocket(channelID, origin: nil) { socket in
                    socket.send(["type": "hello"])
                    try await socket.waitUntil("welcome") { $0.messages.contains { $0["type"]?.stringValue == "welcome" } }
                    try await api.waitForConsumer("router", toReach: try await api.eventHead())
                    let before = try await RoutingAtIngestTests.decisionsAtIngest(api)
                    let clientID = "c-\(attempt)"
                    socket.send(["type": "message", "client_id": .string(clientID), "text": "我被重复扣款了，请退款"])
                    try await socket.waitUntil("the message acknowledged") { $0.messages.contains { $0["client_id"]?.stringValue == clientID } }
                    guard try await RoutingAtIngestTests.decisionsAtIngest(api) == before + 1 else { return nil }
                    let stored = try await api.get("/v1/interactions?channel_id=\(channelID)").items
                    return stored.first { $0["metadata"]?["client_id"]?.stringValue == clientID }?["customer_id"]?.stringValue
                }
            }
            let customer = try #require(routedAtIngest, "no visitor's message was routed in its own commit")
            try await RoutingAtIngestTests.expectRoutedByPrediction(api, customer: customer, to: finance)
        }
    }
}
