/// A new note as `POST /v1/notes` takes it.
public struct NoteDraft: Sendable, Equatable {
    public var customerID: String?
    public var conversationID: String?
    public var body: String
    public var visibility: NoteVisibility
    public var departmentID: String?
    public var pinned: Bool
    public var files: [MailAttachment]

    public init(customerID: String?, conversationID: String?, body: String, visibility: NoteVisibility = .everyone,
                departmentID: String? = nil, pinned: Bool = false, files: [MailAttachment] = []) {
        self.customerID = customerID
        self.conversationID = conversationID
        self.body = body
        self.visibility = visibility
        self.departmentID = departmentID
        self.pinned = pinned
        self.files = files
    }

    /// The longest text a note may have, in characters (code points).
    public static let maxBodyCharacters = 20_000
    public static let maxFiles = 5
    public static let maxFileBytes = 5 * 1_024 * 1_024

    /// Reads the request body; the error names the field. A text over `maxBodyCharacters` is
    /// `NoteInput.bodyTooLong` (a 413), not a validation failure.
    public static func read(_ value: JSONValue) throws(NoteInputError) -> NoteDraft {
        var reader: InputReader
        do throws(ValidationFailure) { reader = try InputReader(value) } catch { throw .invalid(error) }
        let customerID = reader.string("customer_id", maxLength: 64)
        let conversationID = reader.string("conversation_id", maxLength: 64)
        if customerID == nil, conversationID == nil, reader.issues.isEmpty {
            reader.fail("customer_id", "give customer_id or conversation_id: what the note is about")
        }
        let body = try readBody(&reader, required: true) ?? ""
        let visibility: NoteVisibility = reader.enumeration("visibility") ?? .everyone
        let departmentID = reader.string("department_id", maxLength: 64)
        let pinned = reader.bool("pinned") ?? false
        let files = readFiles(&reader)
        do throws(ValidationFailure) { try reader.finish() } catch { throw .invalid(error) }
        return NoteDraft(customerID: customerID, conversationID: conversationID, body: body, visibility: visibility,
                         departmentID: departmentID, pinned: pinned, files: files)
    }

    /// The note's text: multi-line, not blank, without control characters other than line breaks and tabs.
    static func readBody(_ reader: inout InputReader, required: Bool) throws(NoteInputError) -> String? {
        guard let raw = reader.value("body") else {
            if required { reader.fail("body", "is required") }
            return nil
        }
        guard case .string(let text) = raw else {
            reader.fail("body", "expected a string, got \(raw.typeName)")
            return nil
        }
        if text.unicodeScalars.count > maxBodyCharacters {
            throw .bodyTooLong(characters: text.unicodeScalars.count)
        }
        if !text.hasVisibleCharacters {
            reader.fail("body", "must not be blank")
            return nil
        }
        if text.containsControlCharacters {
            reader.fail("body", "must not contain control characters other than line breaks and tabs")
            return nil
        }
        return text.replacing("\r\n", with: "\n")
    }

    private static func readFiles(_ reader: inout InputReader) -> [MailAttachment] {
        guard let raw = reader.value("attachments"), !raw.isNull else { return [] }
        guard case .array(let items) = raw, items.count <= maxFiles else {
            reader.fail("attachments", "expected an array of at most \(maxFiles) files")
            return []
        }
        var files: [MailAttachment] = []
        for (index, item) in items.enumerated() {
            do throws(ValidationFailure) {
                let file = try MailAttachment.read(item, path: "attachments[\(index)]")
                if file.size > maxFileBytes {
                    reader.fail("attachments[\(index)]", "is \(file.size) bytes; a note's file may have at most \(maxFileBytes)")
                } else {
                    files.append(file)
                }
            } catch {
                reader.absorb(error)
            }
        }
        return files
    }
}

/// Changes to a note, as `PATCH /v1/notes/{id}` takes them.
public struct NoteChanges: Sendable, Equatable {
    public var body: String?
    public var pinned: Bool?
    public var visibility: NoteVisibility?

    public init(body: String? = nil, pinned: Bool? = nil, visibility: NoteVisibility? = nil) {
        self.body = body
        self.pinned = pinned
        self.visibility = visibility
    }

    public static func read(_ value: JSONValue) throws(NoteInputError) -> NoteChanges {
        var reader: InputReader
        do throws(ValidationFailure) { reader = try InputReader(value) } catch { throw .invalid(error) }
        let body = try NoteDraft.readBody(&reader, required: false)
        let pinned = reader.bool("pinned")
        let visibility: NoteVisibility? = reader.enumeration("visibility")
        do throws(ValidationFailure) { try reader.finish() } catch { throw .invalid(error) }
        return NoteChanges(body: body, pinned: pinned, visibility: visibility)
    }
}

/// Why a note's request was refused before anything was stored.
public enum NoteInputError: Error, Sendable {
    case invalid(ValidationFailure)
    /// Over `NoteDraft.maxBodyCharacters`: answered 413 naming `body`.
    case bodyTooLong(characters: Int)
}
