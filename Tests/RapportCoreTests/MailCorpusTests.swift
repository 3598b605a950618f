import Foundation
import RapportCore
import Testing

/// Real-world-shaped messages (`Fixtures/mail`, made by `scripts/mail/make_corpus.py`) read as
/// their expectations say: subject, sender, threading headers, the new text apart from the
/// quote and the signature, attachments, automatic replies, bounces and broken structure.
@Suite struct MailCorpusTests {
    struct Expectation: Decodable, CustomTestStringConvertible, Sendable {
        struct Mailbox: Decodable, Sendable { var name: String?; var address: String }
        struct Attachment: Decodable, Sendable, Equatable { var filename: String?; var content_type: String; var size: Int }
        struct Bounce: Decodable, Sendable { var recipient: String; var status: String; var action: String }
        var file: String
        var about: String
        var subject: String?
        var from: Mailbox?
        var to: [String]
        var message_id: String?
        var in_reply_to: String?
        var references: [String]
        var text_contains: [String]
        var text_excludes: [String]
        var quoted_contains: [String]
        var signature_contains: [String]
        var attachments: [Attachment]
        var auto_reply: Bool
        var bounce: Bounce?
        var malformed: Bool

        var testDescription: String { file }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mail")

    static let expectations: [Expectation] = {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("expectations.json")) else { return [] }
        return (try? JSONDecoder().decode([Expectation].self, from: data)) ?? []
    }()

    @Test func theCorpusIsThere() {
        #expect(Self.expectations.count >= 20, "Fixtures/mail/expectations.json is missing or unreadable")
    }

    @Test(arguments: expectations)
    func readsAsExpected(_ expected: Expectation) throws {
        let raw = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(expected.file)))
        let message = MailParser().parse(raw)
        #expect(message.subject == expected.subject, "subject")
        #expect(message.from?.address == expected.from?.address, "from address")
        #expect(message.from?.name == expected.from?.name, "from name")
        #expect(message.to.map { $0.address.lowercased() } == expected.to.map { $0.lowercased() }, "to")
        #expect(message.messageID == expected.message_id, "message id")
        #expect(message.inReplyTo == expected.in_reply_to, "in-reply-to")
        #expect(message.references == expected.references, "references")
        for text in expected.text_contains {
            #expect(message.reply.new.contains(text), "new text contains \(text.debugDescription); it is \(message.reply.new.prefix(400).debugDescription)")
        }
        for text in expected.text_excludes {
            #expect(!message.reply.new.contains(text), "new text leaves out \(text.debugDescription)")
        }
        for text in expected.quoted_contains {
            #expect(message.reply.quoted.contains(text), "quote contains \(text.debugDescription); it is \(message.reply.quoted.prefix(300).debugDescription)")
        }
        for text in expected.signature_contains {
            #expect(message.reply.signature.contains(text), "signature contains \(text.debugDescription); it is \(message.reply.signature.debugDescription)")
        }
        let attachments = message.attachments.map { Expectation.Attachment(filename: $0.filename, content_type: $0.contentType, size: $0.size) }
        #expect(attachments == expected.attachments, "attachments")
        #expect(message.isAutoReply == expected.auto_reply, "auto reply")
        if let bounce = expected.bounce {
            let recipient = message.deliveryReport?.recipients.first { $0.address.lowercased() == bounce.recipient.lowercased() }
            #expect(recipient?.status == bounce.status, "bounce status")
            #expect(recipient?.action == bounce.action, "bounce action")
        } else {
            #expect(message.deliveryReport == nil || message.deliveryReport?.failedRecipients.isEmpty == true, "no bounce")
        }
        #expect(message.isMalformed == expected.malformed, "malformed (problems: \(message.problems.map(\.rawValue)))")
    }
}
