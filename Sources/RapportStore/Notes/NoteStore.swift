import RapportCore

/// Internal notes on customers and conversations: written with their mentions resolved and the
/// people concerned notified in the same transaction, edited with every earlier text kept, pinned,
/// private to a department or not. Every read takes the reader's department, so that a
/// department's private notes never leave it.
public protocol NoteStore: Sendable {
    /// Writes a note: mentions resolved, files kept, the author following its subject, those
    /// mentioned and the followers notified; `rapport.note.created`.
    func createNote(_ draft: NoteDraft, author: Colleague, in tx: WriteTransaction) async throws -> Note

    /// Changes a note's text (the earlier one kept as a revision; people mentioned for the first
    /// time notified), its pin or its visibility; `rapport.note.updated`.
    func changeNote(_ id: String, _ changes: NoteChanges, expectedVersion: Int64?, by author: Colleague,
                    in tx: WriteTransaction) async throws -> Note

    /// Deletes a note (its author, a manager or an admin); `rapport.note.deleted`.
    func deleteNote(_ id: String, expectedVersion: Int64?, by author: Colleague, in tx: WriteTransaction) async throws

    /// The note, when it exists and `readerDepartmentID` may see it.
    func note(_ id: String, readerDepartmentID: String?) async throws -> Note?

    /// Notes on a customer or a conversation that the reader may see, newest first (or oldest
    /// first), keyed `created_at|id` like the timeline so that both page with one cursor.
    func notes(customerID: String?, conversationID: String?, pinned: Bool?, containing text: String?, readerDepartmentID: String?,
               newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<Note>

    /// The earlier texts of a note, oldest first.
    func revisions(ofNote id: String) async throws -> [NoteRevision]

    func noteFile(_ fileID: String, noteID: String) async throws -> (file: NoteFile, content: [UInt8])?

    /// Everyone who can be mentioned.
    func mentionDirectory() async throws -> MentionDirectory
}

/// The SQL implementation of `NoteStore`, on SQLite or PostgreSQL.
public struct SQLNoteStore: NoteStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
