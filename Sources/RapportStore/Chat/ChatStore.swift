import RapportCore

/// The web chat's visitors and their messages. A visitor is a device identity
/// (`device:chat-<token>`) on a customer; a site's vouched user or an email the visitor gives
/// joins that customer through identity resolution (the visitor's customer merges into the one
/// that already holds it). Each visitor's messages are one conversation, keyed `chat:<token>`.
public protocol ChatStore: Sendable {
    /// The visitor of `token` (a new one, with a new token, when it is nil or unknown) with the
    /// identities given joined: returns the token and the customer.
    func visit(channelID: String, token: String?, name: String?, identities: [Identity], actor: Actor,
               in tx: WriteTransaction) async throws -> (token: String, customerID: String)

    /// A visitor's message (with its files): an inbound interaction in the visitor's
    /// conversation; a `clientID` seen before returns the message stored then.
    /// `prepared` is what `prepareMessage` made of the message before the write, off the writer.
    func post(channelID: String, token: String, customerID: String, clientID: String, text: String, files: [MailAttachment],
              prepared: PreparedRouting?, actor: Actor, in tx: WriteTransaction) async throws -> Interaction

    /// What routing can work out of a visitor's message before its write, off the writer, so that
    /// it is routed in the commit that stores it (see `InteractionStore.prepareIngest`).
    func prepareMessage(channelID: String, customerID: String, text: String) -> PreparedRouting?

    /// An agent's reply with files in a web chat conversation: an outbound interaction in the
    /// visitor's thread (the visitor's widget shows it as it commits).
    func reply(toConversation conversationID: String, text: String, files: [MailAttachment], actor: Actor,
               in tx: WriteTransaction) async throws -> Interaction

    /// A file sent in a chat of `channelID`, by its id (the id, unguessable, is what lets the
    /// visitor's widget fetch it).
    func chatFile(_ id: String, channelID: String) async throws -> (file: ChatFile, content: [UInt8])?

    /// A file of the interaction `interactionID`.
    func chatFile(_ id: String, interactionID: String) async throws -> (file: ChatFile, content: [UInt8])?

    /// The visitor's conversation's messages after `afterID` (all, when nil), oldest first, the
    /// newest `limit` at most.
    func history(channelID: String, token: String, after afterID: String?, limit: Int) async throws -> [Interaction]
}

/// The SQL implementation of `ChatStore`, on SQLite or PostgreSQL.
public struct SQLChatStore: ChatStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// The thread key of a visitor's conversation.
    public static func threadKey(_ token: String) -> String { "chat:\(token)" }
}
