import Foundation
import HummingbirdWebSocket
import Logging
import RapportCore
import RapportStore
import Synchronization

/// One visitor's chat over the widget's WebSocket (`ChatClientFrame`, `ChatServerFrame`).
///
/// The first frame is `hello`: the visitor is resolved (a new device token when it has none),
/// joined to the customer the site vouches for or the email given, and welcomed with the
/// messages it does not show yet. Then its messages become interactions in its conversation, and
/// agents' replies in that conversation are sent to it as they commit (the hub reads them from
/// the event log; the session joins the hub before it reads the history, so a reconnect after
/// `after` misses none, and what both give is sent once). Typing goes both ways through the
/// hub. One task writes to the socket; the reader and the hub hand it frames.
struct ChatSocketSession: Sendable {
    let channel: Channel
    let chat: any ChatStore
    let hub: ChatHub
    let writer: any TransactionWriter
    let normalizer: IdentityNormalizer
    /// Whether `hash` is the site's HMAC of `userID` with the channel's identity secret.
    let vouches: @Sendable (_ userID: String, _ hash: String) -> Bool
    let logger: Logger

    static let actor = Actor(kind: .system, id: "chat")

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (frames, sink) = AsyncStream.makeStream(of: ChatServerFrame.self, bufferingPolicy: .bufferingNewest(1_000))
        let membership = Membership()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { sink.finish() }
                do {
                    try await self.read(inbound, into: sink, membership: membership)
                } catch is CancellationError {
                } catch {
                    // What the visitor is told is only that the chat stopped; the log says why.
                    self.logger.error("chat session failed", metadata: ["channel": "\(self.channel.id)", "error": "\(String(reflecting: error))"])
                    sink.yield(.error("the chat stopped; reconnect to go on"))
                }
            }
            // Each agent's message once: the history and the hub may both give one that committed as
            // the session began. (A visitor's message is acknowledged every time it is sent.)
            var sent = Set<String>()
            for await frame in frames {
                if case .message(let line) = frame, line.from == "agent", !sent.insert(line.id).inserted { continue }
                if case .welcome(_, _, _, let history) = frame { sent.formUnion(history.map(\.id)) }
                try await outbound.write(.text(String(decoding: frame.json.serialized(), as: UTF8.self)))
            }
            group.cancelAll()
        }
        if let (thread, id) = membership.value { await hub.leave(thread, id: id) }
    }

    /// The session's place in the hub, once it has one (left when the socket closes).
    private final class Membership: Sendable {
        private let entry = Mutex<(ChatThread, Int)?>(nil)
        var value: (ChatThread, Int)? {
            get { entry.withLock { $0 } }
            set { entry.withLock { $0 = newValue } }
        }
    }

    /// Reads the visitor's frames.
    private func read(_ inbound: WebSocketInboundStream, into sink: AsyncStream<ChatServerFrame>.Continuation,
                      membership: Membership) async throws {
        var visitor: (token: String, customerID: String)?
        var lastTyping = ContinuousClock.now - .seconds(10)
        for try await message in inbound.messages(maxSize: ChatClientFrame.maxFrameBytes) {
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
                // Replies from here on come through the hub; the history covers what came before.
                let thread = ChatThread(channelID: channelID, threadKey: SQLChatStore.threadKey(resolved.token))
                membership.value = (thread, await hub.join(thread, sink: sink))
                let history = try await chat.history(channelID: channelID, token: resolved.token, after: after, limit: 200)
                let settings = ChatChannelSettings.of(channel)
                sink.yield(.welcome(visitor: resolved.token, greeting: settings.greeting, colour: settings.colour,
                                    history: history.map(ChatLine.init)))
            case .message(let clientID, let text):
                guard let current = visitor else { sink.yield(.error("say hello first")); continue }
                sink.yield(.message(ChatLine(try await post(clientID: clientID, text: text, files: [], as: current))))
            case .attachment(let clientID, let text, let file):
                guard let current = visitor else { sink.yield(.error("say hello first")); continue }
                let text = text ?? file.filename ?? "file"
                sink.yield(.message(ChatLine(try await post(clientID: clientID, text: text, files: [file], as: current))))
            case .identify(let email, _):
                guard let current = visitor else { sink.yield(.error("say hello first")); continue }
                guard let identity = try? normalizer.parse("email:\(email)") else { sink.yield(.error("email: not an email address")); continue }
                let (channelID, chat) = (channel.id, chat)
                visitor = try await writer.write { tx in
                    try await chat.visit(channelID: channelID, token: current.token, name: nil, identities: [identity], actor: Self.actor, in: tx)
                }
            case .typing:
                // Agents' consoles hear of it (at most every second: a widget may say it on every key).
                guard let current = visitor, ContinuousClock.now - lastTyping >= .seconds(1) else { continue }
                lastTyping = .now
                await hub.visitorTyping(ChatThread(channelID: channel.id, threadKey: SQLChatStore.threadKey(current.token)))
            }
        }
    }

    /// Stores a visitor's message (a `clientID` seen before is the message stored then).
    private func post(clientID: String, text: String, files: [MailAttachment], as visitor: (token: String, customerID: String)) async throws -> Interaction {
        let (channelID, chat) = (channel.id, chat)
        // The content's analysis for routing, here rather than on the writer.
        let prepared = chat.prepareMessage(channelID: channelID, customerID: visitor.customerID, text: text)
        return try await writer.write { tx in
            try await chat.post(channelID: channelID, token: visitor.token, customerID: visitor.customerID, clientID: clientID, text: text,
                                files: files, prepared: prepared, actor: Self.actor, in: tx)
        }
    }
}
