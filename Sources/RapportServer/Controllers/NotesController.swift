import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/notes`: internal notes on customers and conversations, with @mentions, files, pins, edit
/// history and department-private visibility.
struct NotesController<Notes: NoteStore, Customers: CustomerStore> {
    let notes: Notes
    let customers: Customers
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "notes", create)
        routes.on(.get, "notes", query: ["customer_id", "conversation_id", "pinned", "q", "limit", "cursor"], list)
        routes.on(.get, "notes/:id", show)
        routes.on(.patch, "notes/:id", change)
        routes.on(.delete, "notes/:id", delete)
        routes.on(.get, "notes/:id/revisions", revisions)
        routes.on(.get, "notes/:id/files/:file_id", file)
        routes.on(.get, "mentionables", query: ["q", "limit"], mentionables)
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        // Files come base64-encoded: a third larger than the bytes they carry.
        let limit = max(services.configuration.maxBodyBytes, NoteDraft.maxFiles * NoteDraft.maxFileBytes / 3 * 4 + 256 * 1_024)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let draft = try Self.input { () throws(NoteInputError) in try NoteDraft.read(body) }
        let author = Colleague(principal)
        let notes = self.notes
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let note = try await notes.createNote(draft, author: author, in: tx)
            return StoredResponse(status: 201, body: note.json.serialized(), etag: note.etag, location: "/v1/notes/\(note.id)")
        }
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        // Without customer_id or conversation_id: the newest notes the caller may see, on any customer.
        let customerID = try request.query("customer_id")
        let conversationID = try request.query("conversation_id")
        let pinned: Bool?
        switch try request.query("pinned") {
        case nil: pinned = nil
        case "true": pinned = true
        case "false": pinned = false
        default: throw Problem.badRequest(field: "pinned", "must be true or false")
        }
        var text: String?
        if let query = try request.query("q") {
            let trimmed = query.trimmingCharacters(in: .whitespaces)
            guard (2...200).contains(trimmed.unicodeScalars.count) else { throw Problem.badRequest(field: "q", "must be 2 to 200 characters") }
            text = trimmed
        }
        let page = try await notes.notes(customerID: try await survivor(customerID), conversationID: conversationID, pinned: pinned, containing: text,
                                         readerDepartmentID: principal.departmentID, newestFirst: true,
                                         limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page, \.json)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let note = try await visibleNote(try context.parameters.require("id"), principal)
        return .json(note.json, headers: [.eTag: note.etag])
    }

    @Sendable func change(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        _ = try await visibleNote(id, principal)
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let changes = try Self.input { () throws(NoteInputError) in try NoteChanges.read(body) }
        let author = Colleague(principal)
        let notes = self.notes
        let note = try await services.writer.write { tx in
            try await notes.changeNote(id, changes, expectedVersion: expected, by: author, in: tx)
        }
        return .json(note.json, headers: [.eTag: note.etag])
    }

    @Sendable func delete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        let author = Colleague(principal)
        let notes = self.notes
        try await services.writer.write { tx in try await notes.deleteNote(id, expectedVersion: expected, by: author, in: tx) }
        return Response(status: .noContent)
    }

    @Sendable func revisions(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let note = try await visibleNote(try context.parameters.require("id"), principal)
        let revisions = try await notes.revisions(ofNote: note.id)
        return .json(["data": .array(revisions.map(\.json)), "next_cursor": .null])
    }

    @Sendable func file(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let note = try await visibleNote(try context.parameters.require("id"), principal)
        let fileID = try context.parameters.require("file_id")
        guard let (file, content) = try await notes.noteFile(fileID, noteID: note.id) else { throw StoreError.notFound("file", fileID) }
        return .bytes(content, status: .ok, contentType: FileDownload.safeType(file.contentType), headers: FileDownload.headers(filename: file.filename))
    }

    /// Who can be mentioned, for the console's autocomplete.
    @Sendable func mentionables(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let query = try request.query("q") ?? ""
        let limit = try request.limit(default: 10, max: 50)
        let directory = try await notes.mentionDirectory()
        return .json(["data": .array(directory.suggestions(for: query, limit: limit).map(\.json))])
    }

    // MARK: - Parts

    private func visibleNote(_ id: String, _ principal: Principal) async throws -> Note {
        guard let note = try await notes.note(id, readerDepartmentID: principal.departmentID) else { throw StoreError.notFound("note", id) }
        return note
    }

    /// A merged customer's notes are the survivor's.
    private func survivor(_ customerID: String?) async throws -> String? {
        guard let customerID else { return nil }
        return try await customers.customer(customerID)?.mergedInto ?? customerID
    }

    /// Reads a note's input: a field-named 422, or 413 for a text over the limit.
    static func input<T>(_ read: () throws(NoteInputError) -> T) throws -> T {
        do throws(NoteInputError) {
            return try read()
        } catch {
            switch error {
            case .invalid(let failure):
                throw Problem.invalid(failure)
            case .bodyTooLong(let characters):
                throw Problem(status: .contentTooLarge, type: "note-too-long", title: "Note too long",
                              detail: "the note has \(characters) characters; at most \(NoteDraft.maxBodyCharacters) are kept",
                              issues: [FieldIssue(field: "body", message: "must be at most \(NoteDraft.maxBodyCharacters) characters")])
            }
        }
    }
}
