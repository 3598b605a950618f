import HTTPTypes
import Hummingbird
import RapportConsole
import RapportCore
import RapportStore
import ServiceLifecycle

/// The web chat beside its socket: the widget's script for sites to embed, and typing between
/// an agent's console and the visitor (ephemeral, through the `ChatHub`, never on the log).
struct ChatController<Conversations: ConversationStore> {
    let conversations: Conversations
    let chat: any ChatStore
    let hub: ChatHub
    let console: ConsoleAssets
    let services: Services

    /// Reached without credentials: the script any page of a site loads, and the files of a chat
    /// (their unguessable ids are the visitor's key).
    func registerWidget(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "chat/widget.js", widget)
        routes.on(.get, "chat/:channel_id/files/:id", visitorFile)
    }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "conversations/:id/typing", agentTyping)
        routes.on(.get, "conversations/:id/typing", query: ["heartbeat"], watch)
        routes.on(.post, "conversations/:id/chat-replies", reply)
        routes.on(.get, "interactions/:id/files/:file_id", agentFile)
    }

    /// `POST /v1/conversations/{id}/chat-replies`: an agent's reply with files; the visitor's widget
    /// shows it (with the files to download) as it commits.
    @Sendable func reply(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        // An unknown conversation is 404, and one that is not a chat's 409, whatever the body says.
        _ = try await chatThread(id, refusing: "replies with files are sent only there")
        // Files come base64-encoded: a third larger than the bytes they carry.
        let limit = max(services.configuration.maxBodyBytes, ChatReply.maxFiles * ChatClientFrame.maxFrameBytes)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let reply = try ChatReply.read(body)
        let chat = self.chat
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let stored = try await chat.reply(toConversation: id, text: reply.text, files: reply.files, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: stored.json.serialized(), location: "/v1/interactions/\(stored.id)")
        }
    }

    /// `GET /chat/{channel_id}/files/{id}`: a file of a chat, for the visitor's widget.
    @Sendable func visitorFile(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let channelID = try context.parameters.require("channel_id")
        let id = try context.parameters.require("id")
        guard let (file, content) = try await chat.chatFile(id, channelID: channelID) else { throw StoreError.notFound("file", id) }
        var headers = FileDownload.headers(filename: file.filename)
        headers[.cacheControl] = "private, max-age=86400"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return .bytes(content, status: .ok, contentType: FileDownload.safeType(file.contentType), headers: headers)
    }

    /// `GET /v1/interactions/{id}/files/{file_id}`: a file sent in the chat, for agents.
    @Sendable func agentFile(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        let fileID = try context.parameters.require("file_id")
        guard let (file, content) = try await chat.chatFile(fileID, interactionID: id) else { throw StoreError.notFound("file", fileID) }
        return .bytes(content, status: .ok, contentType: FileDownload.safeType(file.contentType), headers: FileDownload.headers(filename: file.filename))
    }

    /// `GET /chat/widget.js`: the same name on every version, so pages need no change when Rapport
    /// is upgraded; cached briefly, and loadable by pages of any origin.
    @Sendable func widget(_ request: Request, context: RapportRequestContext) async throws -> Response {
        guard let asset = console.asset("widget/chat.js") else { throw StoreError.notFound("widget script", "chat.js") }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=300"
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "cross-origin"
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    /// `POST /v1/conversations/{id}/typing`: the visitor's widget shows that an agent is typing.
    @Sendable func agentTyping(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.writeConversations)
        let thread = try await chatThread(try context.parameters.require("id"))
        await hub.agentTyping(thread)
        return Response(status: .noContent)
    }

    /// `GET /v1/conversations/{id}/typing`: Server-Sent Events while the console shows the
    /// conversation — `presence` (`{"online": true|false}`: whether the visitor has the widget
    /// open) first and on each change, and `typing` (`{"from": "visitor"}`) as the visitor types.
    @Sendable func watch(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let thread = try await chatThread(try context.parameters.require("id"))
        var heartbeat = Duration.seconds(15)
        if let text = try request.query("heartbeat") {
            guard let seconds = Int(text), (1...300).contains(seconds) else {
                throw Problem.badRequest(field: "heartbeat", "must be 1 to 300 seconds")
            }
            heartbeat = .seconds(seconds)
        }
        let (hub, interval) = (hub, heartbeat)
        let body = ResponseBody { writer in
            let (signals, sink) = AsyncStream.makeStream(of: ChatHub.Signal.self, bufferingPolicy: .bufferingNewest(100))
            let id = await hub.watch(thread, sink: sink)
            // Quiet streams get a comment line each interval, and each one is a chance to stop.
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    sink.yield(.heartbeat)
                }
            }
            defer { beat.cancel() }
            do {
                try await withGracefulShutdownHandler {
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    for await signal in signals {
                        try await writer.write(ByteBuffer(string: Self.frame(signal)))
                    }
                } onGracefulShutdown: {
                    sink.finish()
                }
            } catch {
                await hub.unwatch(thread, id: id)
                throw error
            }
            await hub.unwatch(thread, id: id)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func frame(_ signal: ChatHub.Signal) -> String {
        switch signal {
        case .presence(let online): "event: presence\ndata: {\"online\":\(online)}\n\n"
        case .visitorTyping: "event: typing\ndata: {\"from\":\"visitor\"}\n\n"
        case .heartbeat: ": heartbeat\n\n"
        }
    }

    /// The chat thread of a conversation; 404 when there is none, 409 when it is not a web chat's.
    private func chatThread(_ id: String, refusing what: String = "typing is shown only there") async throws -> ChatThread {
        guard let conversation = try await conversations.conversation(id) else { throw StoreError.notFound("conversation", id) }
        guard let key = conversation.threadKey, key.hasPrefix("chat:") else {
            throw Problem(status: .conflict, type: "not-a-chat", title: "Not a web chat",
                          detail: "conversation \(id) is not a web chat visitor's: \(what)")
        }
        return ChatThread(channelID: conversation.channelID, threadKey: key)
    }
}
