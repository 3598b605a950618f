import Foundation

/// The message a reply answers, as its thread holds it.
public struct MailParent: Sendable, Equatable {
    public var direction: InteractionDirection
    /// Without angle brackets.
    public var messageID: String?
    public var references: [String]
    public var subject: String?
    public var from: MailAddress?
    public var replyTo: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var date: Timestamp
    /// Its new text (what a quote repeats).
    public var text: String

    public init(direction: InteractionDirection, messageID: String?, references: [String], subject: String?, from: MailAddress?,
                replyTo: [MailAddress], to: [MailAddress], cc: [MailAddress], date: Timestamp, text: String) {
        self.direction = direction
        self.messageID = messageID
        self.references = references
        self.subject = subject
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.date = date
        self.text = text
    }
}

/// An agent's reply by email, as `POST /v1/conversations/{id}/email-replies` takes it: the text,
/// whether to quote the message it answers, copies and files. The HTML form is made from the
/// text, so what the agent typed is never read as markup.
public struct EmailReply: Sendable, Equatable {
    public var text: String
    public var quote: Bool
    public var cc: [MailAddress]
    public var attachments: [MailAttachment]

    public init(text: String, quote: Bool = true, cc: [MailAddress] = [], attachments: [MailAttachment] = []) {
        self.text = text
        self.quote = quote
        self.cc = cc
        self.attachments = attachments
    }

    public static let maxTextLength = 100_000
    public static let maxAttachments = 20

    /// Reads the request body; `attachmentLimit` bounds the files' decoded bytes together.
    public static func read(_ value: JSONValue, attachmentLimit: Int) throws(ValidationFailure) -> EmailReply {
        var reader = try InputReader(value)
        let text = reader.string("text", required: true, maxLength: maxTextLength)
        if let text, !text.hasVisibleCharacters { reader.fail("text", "must not be blank") }
        let quote = reader.bool("quote") ?? true
        var cc: [MailAddress] = []
        for (index, entry) in (reader.stringList("cc", maxCount: 20, maxLength: 320) ?? []).enumerated() {
            guard let address = Self.address(entry) else {
                reader.absorb(ValidationFailure(field: "cc[\(index)]", message: "\"\(entry.prefix(64))\" is not an email address"))
                continue
            }
            cc.append(address)
        }
        var attachments: [MailAttachment] = []
        if let raw = reader.value("attachments"), !raw.isNull {
            if case .array(let items) = raw, items.count <= maxAttachments {
                var total = 0
                for (index, item) in items.enumerated() {
                    do throws(ValidationFailure) {
                        let attachment = try MailAttachment.read(item, path: "attachments[\(index)]")
                        total += attachment.size
                        attachments.append(attachment)
                    } catch {
                        reader.absorb(error)
                    }
                }
                if total > attachmentLimit { reader.fail("attachments", "the files come to \(total) bytes; at most \(attachmentLimit) may be sent") }
            } else {
                reader.fail("attachments", "expected an array of at most \(maxAttachments) files")
            }
        }
        try reader.finish()
        return EmailReply(text: text ?? "", quote: quote, cc: cc, attachments: attachments)
    }

    /// `type/subtype` in RFC 6838's restricted names.
    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+".utf8)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.count <= 63 && $0.utf8.allSatisfy(allowed.contains) }
    }

    /// One address, `local@domain` or `Name <local@domain>`.
    public static func address(_ text: String) -> MailAddress? {
        let found = MailAddress.list(text)
        guard found.count == 1, let address = found.first, address.address.utf8.count <= 254,
              let at = address.address.lastIndex(of: "@"), at != address.address.startIndex,
              address.address[address.address.index(after: at)...].contains("."),
              !address.address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }),
              !address.address.containsControlCharacters else { return nil }
        return address
    }

    /// The message to send: addressed to whoever the parent came from (its `Reply-To` first; the
    /// parent's own recipients when Rapport sent it), `Re:` its subject, referring to it and its
    /// thread, and with the parent quoted below the text when asked.
    public func outgoing(answering parent: MailParent, from: MailAddress, fallbackSubject: String?, messageID: String,
                         date: Timestamp) -> OutgoingMail {
        let to: [MailAddress]
        if parent.direction == .outbound {
            to = parent.to
        } else if !parent.replyTo.isEmpty {
            to = parent.replyTo
        } else {
            to = parent.from.map { [$0] } ?? []
        }
        let ownAddress = from.address.lowercased()
        let recipients = to.filter { $0.address.lowercased() != ownAddress }
        let copies = cc.filter { copy in !recipients.contains { $0.address.lowercased() == copy.address.lowercased() } }

        let base = (parent.subject ?? fallbackSubject ?? "").trimmingSpace()
        let subject = InboundMail.isReply(base) ? base : (base.isEmpty ? "Re:" : "Re: " + base)

        var references = parent.references
        if let id = parent.messageID, !references.contains(id) { references.append(id) }
        // Keep the thread's first message and the newest ones (RFC 5322 §3.6.4 lets a long list shorten).
        if references.count > 20 { references = [references[0]] + references.suffix(19) }

        let trimmed = text.replacingOccurrences(of: "\r\n", with: "\n").trimmingSpace()
        var plain = trimmed
        var quoted: (attribution: String, lines: [String])?
        if quote, !parent.text.trimmingSpace().isEmpty {
            let who = parent.from.map { sender in sender.name.map { "\($0) <\(sender.address)>" } ?? sender.address } ?? "you"
            let attribution = "On \(parent.date.rfc5322), \(who) wrote:"
            let lines = parent.text.replacingOccurrences(of: "\r\n", with: "\n").trimmingSpace()
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            quoted = (attribution, lines)
            plain += "\n\n" + attribution + "\n" + lines.map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
        }
        return OutgoingMail(from: from, to: recipients, cc: copies, subject: subject, text: plain + "\n",
                            html: Self.html(trimmed, quoted: quoted), messageID: messageID, inReplyTo: parent.messageID,
                            references: references, date: date, attachments: attachments)
    }

    /// The HTML alternative: the text escaped, paragraphs at blank lines, the quote in a `<blockquote>`.
    public static func html(_ text: String, quoted: (attribution: String, lines: [String])?) -> String {
        func paragraphs(_ text: String) -> String {
            text.components(separatedBy: "\n\n").filter { !$0.trimmingSpace().isEmpty }.map { paragraph in
                "<p>" + paragraph.trimmingSpace().split(separator: "\n", omittingEmptySubsequences: false)
                    .map { HTMLEscaping.escape(String($0)) }.joined(separator: "<br>\n") + "</p>"
            }.joined(separator: "\n")
        }
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<div>\n" + paragraphs(text) + "\n</div>\n"
        if let quoted {
            html += "<p>" + HTMLEscaping.escape(quoted.attribution) + "</p>\n"
            html += "<blockquote style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\">\n"
            html += paragraphs(quoted.lines.joined(separator: "\n")) + "\n</blockquote>\n"
        }
        return html + "</body></html>\n"
    }
}

/// Text made safe to stand in HTML.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
