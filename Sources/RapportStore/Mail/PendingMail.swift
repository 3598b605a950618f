import RapportCore

/// The mail a batch received, written with one statement per table before it commits, and what
/// later messages of the same batch look up in it: a repeated Message-ID, the thread of a message
/// they answer.
final class PendingMail {
    struct Row {
        var record: MailRecord
        var fromAddress: String?
        var threadSubject: String
        var raw: [UInt8]
    }

    struct Attachment {
        var summary: InboundMail.AttachmentSummary
        var mailID: String
        var position: Int
        var contentID: String?
        var content: [UInt8]?
    }

    private(set) var rows: [Row] = []
    private(set) var attachments: [Attachment] = []
    private var byMessageID: [String: Int] = [:]
    private var threadBySubject: [String: String] = [:]

    static let key = "mail"

    func add(_ row: Row, attachments: [Attachment]) {
        if let messageID = row.record.messageID, row.record.direction == .inbound {
            let key = Self.messageKey(row.record.channelID, messageID)
            if byMessageID[key] == nil { byMessageID[key] = rows.count }
        }
        if let from = row.fromAddress {
            threadBySubject[Self.subjectKey(row.record.channelID, from, row.threadSubject)] = row.record.threadKey
        }
        rows.append(row)
        self.attachments += attachments
    }

    /// The inbound message of this batch with `messageID` on `channelID`.
    func received(_ messageID: String, on channelID: String) -> MailRecord? {
        byMessageID[Self.messageKey(channelID, messageID)].map { rows[$0].record }
    }

    /// The thread of this batch's message `messageID` on `channelID`.
    func threadKey(ofMessage messageID: String, on channelID: String) -> String? {
        received(messageID, on: channelID)?.threadKey
    }

    /// The thread of this batch's latest message from `from` with `subject` on `channelID`.
    func threadKey(from: String, subject: String, on channelID: String) -> String? {
        threadBySubject[Self.subjectKey(channelID, from, subject)]
    }

    private static func messageKey(_ channelID: String, _ messageID: String) -> String { channelID + "\u{0}" + messageID }

    private static func subjectKey(_ channelID: String, _ from: String, _ subject: String) -> String {
        channelID + "\u{0}" + from + "\u{0}" + subject
    }
}
