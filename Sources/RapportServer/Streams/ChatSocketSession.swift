import Foundation
import HummingbirdWebSocket
import Logging
import RapportCore
import RapportStore

/// One visitor's chat over the widget's WebSocket (`ChatClientFrame`, `ChatServerFrame`).
///
/// The first frame is `hello`: the visitor is resolved (a new device token when it has none),
/// joined to the customer the site vouches for or the email given, and welcomed with the
/// messages it does not show yet. Then its messages become interactions in its conversation, and
/// agents' replies in that conversation are sent to it as they commit (read from the event log,
/// so a reconnect after `after` misses none). One task writes to the socket; the reader and the
/// log follower hand it frames.
struct ChatSocketSession: Sendable {
    let channel: Channel
    let chat: any ChatStore
    let events: any EventStore
    let writer: any TransactionWriter
    let normalizer: IdentityNormalizer
    /// Whether `hash` is the site's HMAC of `userID` with the channel's identity secret.
    let vouches: @Sendable (_ userID: String, _ hash: String) -> Bool
    let logger: Logger

    static let actor = Actor(kind: .system, id: "chat")

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (frames, sink) = AsyncStream.makeStream(of: ChatServerFrame.self, bufferingPolicy: .bufferingNewest(1_000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { sink.finish() }
                do {
                    try await self.read(inbound, into: sink)
                } catch is CancellationError {
                } catch {
                    // What the visitor is told is only that the chat stopped; the log says why.
                    self.logger.error("chat session failed", metadata: ["channel": "\(self.channel.id)", "error": "\(String(reflecting: error))"])
                    sink.yield(.error("the chat stopped; reconnect to go on"))
                }
            }
            for await frame in frames {
                try await outbound.write(.text(String(decoding: frame.json.serialized(), as: UTF8.self)))
            }
            group.cancelAll()
        }
    }

    /// Reads the visitor's frames; after `hello`, a follower sends agents' replies beside it.
    private func read(_ inbound: WebSocketInboundStream, into sink: AsyncStream<ChatServerFrame>.Continuation) async throws {
        var visitor: (token: String, customerID: String)?
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            for try await message in inbound.messages(maxSize: 64 * 1_024) {
                guard case .text(let text) = message, let value = try? JSONParser.parse(Array(text.utf8)) else {
                    sink.yield(.error("a frame is a JSON object as text"))
                    continue
                }
                let frame: ChatClientFrame
                do throws(ValidationFailure) {
                    frame = try ChatClientFrame.read(value)
                } catch {
                    sink.yield(.error(error.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")))
                    continue
                }
                switch frame {
                case .hello(let token, let userID, let userHash, let email, let name, let after):
                    guard visitor == nil else { sink.yield(.error("hello comes once")); continue }
                    var identities: [Identity] = []
                    if let userID, let userHash {
                        guard vouches(userID, userHash) else { sink.yield(.error("user_hash does not match user_id")); continue }
                        if let identity = try? normalizer.parse("external:chat-\(channel.id):\(userID)") { identities.append(identity) }
                    }
                    if let email, let identity = try? normalizer.parse("email:\(email)") { identities.append(identity) }
                    let (channelID, chat, known) = (channel.id, chat, identities)
                    let resolved = try await writer.write { tx in
                        try await chat.visit(channelID: channelID, token: token, name: name, identities: known, actor: Self.actor, in: tx)
                    }
                    visitor = resolved
                    // The log from here on; history covers what came before.
                    let head = try await events.eventLogHead()
                    let history = try await chat.history(channelID: channelID, token: resolved.token, after: after, limit: 200)
                    let settings = ChatChannelSettings.of(channel)
                    sink.yield(.welcome(visitor: resolved.token, greeting: settings.greeting, colour: settings.colour,
                                        history: history.map(ChatLine.init)))
                    group.addTask { try await self.follow(token: resolved.token, from: head, into: sink) }
                case .message(let clientID, let text):
                    guard let current = visitor else { sink.yield(.error("say hello first")); continue }
                    let (channelID, chat) = (channel.id, chat)
                    let stored = try await writer.write { tx in
                        try await chat.post(channelID: channelID, token: current.token, customerID: current.customerID, clientID: clientID,
                                            text: text, actor: Self.actor, in: tx)
                    }
                    sink.yield(.message(ChatLine(stored)))
                case .identify(let email, _):
                    guard let current = visitor else { sink.yield(.error("say hello first")); continue }
                    guard let identity = try? normalizer.parse("email:\(email)") else { sink.yield(.error("email: not an email address")); continue }
                    let (channelID, chat) = (channel.id, chat)
                    visitor = try await writer.write { tx in
                        try await chat.visit(channelID: channelID, token: current.token, name: nil, identities: [identity], actor: Self.actor, in: tx)
                    }
                case .typing:
                    // Typing reaches agents in a later round (an ephemeral channel beside the log).
                    continue
                }
            }
        }
    }

    /// Sends the agents' replies in the visitor's conversation as they commit.
    private func follow(token: String, from head: Int64, into sink: AsyncStream<ChatServerFrame>.Continuation) async throws {
        let thread = SQLChatStore.threadKey(token)
        var position = head
        while !Task.isCancelled {
            let page = try await events.events(after: position, limit: 500)
            for event in page where event.type == "rapport.interaction.created" {
                guard let record = event.data.objectValue?["interaction"], let interaction = Interaction(record: record),
                      interaction.channelID == channel.id, interaction.direction == .outbound,
                      interaction.metadata["thread_id"]?.stringValue == thread else { continue }
                sink.yield(.message(ChatLine(interaction)))
            }
            if let last = page.last { position = last.sequence }
            if page.count < 500 { await events.waitForCommit(after: position, timeout: .seconds(5)) }
        }
    }
}
