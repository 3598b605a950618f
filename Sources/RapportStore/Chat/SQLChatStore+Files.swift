import NIOCore
import RapportCore
import SQLKit

extension SQLChatStore {
    public func reply(toConversation conversationID: String, text: String, files: [MailAttachment], actor: Actor,
                      in tx: WriteTransaction) async throws -> Interaction {
        guard let conversation = try await store.conversations.conversationForUpdate(conversationID, in: tx) else {
            throw StoreError.notFound("conversation", conversationID)
        }
        guard let threadKey = conversation.threadKey, threadKey.hasPrefix("chat:") else {
            throw StoreError(.conflict, "conversation \(conversationID) is not a web chat visitor's")
        }
        var metadata = JSONObject()
        metadata["thread_id"] = .string(threadKey)
        metadata["author_id"] = actor.id.map(JSONValue.string) ?? .null
        let summaries = Self.summaries(of: files)
        metadata["attachments"] = .array(summaries.map(\.json))
        let body = text.trimmingSpace()
        let new = NewInteraction(channelID: conversation.channelID, party: .customer(conversation.customerID), direction: .outbound,
                                 kind: .message, body: body, metadata: metadata)
        let ingested = try await store.interactions.ingestInteraction(new, actor: actor, in: tx)
        try await insertFiles(summaries, contents: files.map(\.content), interactionID: ingested.interaction.id,
                              channelID: conversation.channelID, threadKey: threadKey, in: tx)
        return ingested.interaction
    }

    /// The files of a message as its interaction lists them, each with a new id.
    static func summaries(of files: [MailAttachment]) -> [ChatFile] {
        files.enumerated().map { position, file in
            ChatFile(id: newFileID(), filename: file.filename ?? "file-\(position + 1)", contentType: file.contentType, size: file.size)
        }
    }

    /// Keeps the files of a message just stored.
    func insertFiles(_ summaries: [ChatFile], contents: [[UInt8]], interactionID: String, channelID: String, threadKey: String,
                     in tx: WriteTransaction) async throws {
        let now = tx.now().microseconds
        for (position, (file, content)) in zip(summaries, contents).enumerated() {
            try await tx.execute("""
                INSERT INTO chat_files (id, interaction_id, channel_id, thread_key, position, filename, content_type, size, content, created_at)
                VALUES (\(bind: file.id), \(bind: interactionID), \(bind: channelID), \(bind: threadKey), \(bind: position),
                        \(bind: file.filename), \(bind: file.contentType), \(bind: Int64(file.size)), \(bind: ByteBuffer(bytes: content)), \(bind: now))
                """)
        }
    }

    public func chatFile(_ id: String, channelID: String) async throws -> (file: ChatFile, content: [UInt8])? {
        try await read { database in
            try await database.raw("""
                SELECT id, filename, content_type, size, content FROM chat_files WHERE id = \(bind: id) AND channel_id = \(bind: channelID)
                """).first().map(Self.file)
        }
    }

    public func chatFile(_ id: String, interactionID: String) async throws -> (file: ChatFile, content: [UInt8])? {
        try await read { database in
            try await database.raw("""
                SELECT id, filename, content_type, size, content FROM chat_files WHERE id = \(bind: id) AND interaction_id = \(bind: interactionID)
                """).first().map(Self.file)
        }
    }

    private static func file(_ row: any SQLRow) throws -> (file: ChatFile, content: [UInt8]) {
        (ChatFile(id: try row.string("id"), filename: try row.string("filename"), contentType: try row.string("content_type"),
                  size: Int(try row.int64("size"))), Array(try row.decode(column: "content", as: ByteBuffer.self).readableBytesView))
    }

    /// `chf_` and 128 random bits: the id is the visitor's key to the file, so it must not be guessed.
    static func newFileID() -> String { "chf_" + newToken() }
}
