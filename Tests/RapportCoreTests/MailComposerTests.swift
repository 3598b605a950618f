import Foundation
import RapportCore
import Testing

@Suite("Mail out: composing replies") struct MailComposerTests {
    let parser = MailParser()
    let date = Timestamp(rfc3339: "2026-12-03T15:04:05Z")!

    var parent: MailParent {
        MailParent(direction: .inbound, messageID: "m2@example.com", references: ["m1@example.com"], subject: "订单 1234 没有到",
                   from: MailAddress(name: "王小明", address: "xm@example.cn"), replyTo: [], to: [MailAddress(name: nil, address: "support@acme.example")],
                   cc: [], date: Timestamp(rfc3339: "2026-12-01T09:30:00Z")!, text: "我的包裹在哪里？\n\nThanks")
    }

    @Test func aReplyRoundTripsThroughTheParser() throws {
        let pdf = Array((0..<3_000).map { UInt8($0 % 256) })
        let reply = EmailReply(text: "您好，\n\n包裹今天发出。<script>alert(1)</script>\n.a line with a leading dot\nFrom here on",
                               cc: [MailAddress(name: "Finance, Team", address: "finance@acme.example")],
                               attachments: [MailAttachment(filename: "发票 12.pdf", contentType: "application/pdf", contentID: nil,
                                                            isInline: false, content: pdf)])
        let mail = reply.outgoing(answering: parent, from: MailAddress(name: "Acme Support", address: "support@acme.example"),
                                  fallbackSubject: nil, messageID: "mail_1@mail.acme.example", date: date)
        #expect(mail.to == [MailAddress(name: "王小明", address: "xm@example.cn")])
        #expect(mail.subject == "Re: 订单 1234 没有到")
        #expect(mail.recipients == ["xm@example.cn", "finance@acme.example"])
        let raw = MailComposer.render(mail)

        // 7-bit, CRLF lines of at most 78 characters: any relay takes it as it is.
        #expect(raw.allSatisfy { $0 < 128 })
        let text = String(decoding: raw, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))

        let parsed = parser.parse(raw)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.subject == "Re: 订单 1234 没有到")
        #expect(parsed.from == MailAddress(name: "Acme Support", address: "support@acme.example"))
        #expect(parsed.to == [MailAddress(name: "王小明", address: "xm@example.cn")])
        #expect(parsed.cc == [MailAddress(name: "Finance, Team", address: "finance@acme.example")])
        #expect(parsed.messageID == "mail_1@mail.acme.example")
        #expect(parsed.inReplyTo == "m2@example.com")
        #expect(parsed.references == ["m1@example.com", "m2@example.com"])
        #expect(parsed.date == date)
        #expect(parsed.reply.new == "您好，\n\n包裹今天发出。<script>alert(1)</script>\n.a line with a leading dot\nFrom here on")
        #expect(parsed.reply.quoted.contains("> 我的包裹在哪里？"))
        #expect(parsed.attachments.count == 1)
        #expect(parsed.attachments.first?.filename == "发票 12.pdf")
        #expect(parsed.attachments.first?.contentType == "application/pdf")
        #expect(parsed.attachments.first?.content == pdf)

        // The HTML alternative holds the agent's text as text, never as markup.
        let html = try #require(parsed.html)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script"))
        #expect(html.contains("<blockquote"))
        #expect(text.contains("Content-Type: multipart/alternative"))
        #expect(text.contains("Content-Type: multipart/mixed"))
    }

    @Test func aReplyToAReplyKeepsItsSubjectAndGoesToReplyTo() {
        var answered = parent
        answered.subject = "RE: Order 1234"
        answered.replyTo = [MailAddress(name: nil, address: "orders@example.cn")]
        let mail = EmailReply(text: "Done.", quote: false).outgoing(answering: answered, from: MailAddress(name: nil, address: "support@acme.example"),
                                                                    fallbackSubject: nil, messageID: "x@y", date: date)
        #expect(mail.subject == "RE: Order 1234")
        #expect(mail.to.map(\.address) == ["orders@example.cn"])
        #expect(mail.text == "Done.\n")
        #expect(!mail.html.contains("blockquote"))
    }

    @Test func aLongThreadKeepsItsFirstAndNewestReferences() {
        var answered = parent
        answered.references = (1...30).map { "r\($0)@example.com" }
        let mail = EmailReply(text: "Hi").outgoing(answering: answered, from: MailAddress(name: nil, address: "s@acme.example"),
                                                   fallbackSubject: nil, messageID: "x@y", date: date)
        #expect(mail.references.count == 20)
        #expect(mail.references.first == "r1@example.com")
        #expect(mail.references.last == "m2@example.com")
    }

    @Test func anAnswerToOurOwnMessageGoesToItsRecipientsNotToUs() {
        var ours = parent
        ours.direction = .outbound
        ours.from = MailAddress(name: "Acme", address: "support@acme.example")
        ours.to = [MailAddress(name: nil, address: "xm@example.cn"), MailAddress(name: nil, address: "Support@Acme.example")]
        let mail = EmailReply(text: "Following up.").outgoing(answering: ours, from: MailAddress(name: nil, address: "support@acme.example"),
                                                              fallbackSubject: nil, messageID: "x@y", date: date)
        #expect(mail.to.map(\.address) == ["xm@example.cn"])
    }

    @Test func aLongFileNameGoesInContinuations() {
        let name = String(repeating: "季度报告", count: 20) + ".xlsx"
        let mail = OutgoingMail(from: MailAddress(name: nil, address: "s@acme.example"), to: [MailAddress(name: nil, address: "a@example.com")],
                                subject: "Report", text: "Attached.", html: "<p>Attached.</p>", messageID: "mail_01M8YA4V62ZDYFX7AD1ZYGVA25@rapport",
                                date: date, attachments: [MailAttachment(filename: name, contentType: "application/vnd.ms-excel", contentID: nil,
                                                                         isInline: false, content: [1, 2, 3])])
        let raw = MailComposer.render(mail)
        for line in String(decoding: raw, as: UTF8.self).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(String(decoding: raw, as: UTF8.self).contains("filename*1*="))
        let parsed = parser.parse(raw)
        #expect(parsed.attachments.first?.filename == name)
        #expect(parsed.attachments.first?.content == [1, 2, 3])
        #expect(parsed.text == "Attached.\n" || parsed.text == "Attached.")
    }

    @Test func encodingsStayWithinTheirLimits() {
        let long = String(repeating: "ä", count: 200) + " = end "
        let encoded = MailEncoding.quotedPrintable(long)
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        #expect(encoded.hasSuffix("end=20"))
        let parsed = TransferEncoding.decodeQuotedPrintable(Array(encoded.utf8)[...], underscoreIsSpace: false)
        #expect(String(decoding: parsed, as: UTF8.self) == long)
        #expect(MailEncoding.quotedPrintable("From me") == "=46rom me")
        #expect(MailEncoding.headerText("Plain subject") == "Plain subject")
        let words = MailEncoding.headerText(String(repeating: "订单", count: 40))
        for word in words.components(separatedBy: "\r\n ") { #expect(word.utf8.count <= 75) }
        #expect(EncodedWords.decode(words.replacingOccurrences(of: "\r\n", with: "")) == String(repeating: "订单", count: 40))
        #expect(MailEncoding.mailbox(MailAddress(name: "Lima, Ana", address: "a@x.example")) == "\"Lima, Ana\" <a@x.example>")
        #expect(MailEncoding.mailbox(MailAddress(name: "Ana Lima", address: "a@x.example")) == "Ana Lima <a@x.example>")
        #expect(MailEncoding.parameter("filename", "a b.pdf") == "filename=\"a b.pdf\"")
        #expect(MailEncoding.parameter("filename", "发票.pdf") == "filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf")
        #expect(Timestamp(rfc3339: "2024-02-29T23:59:59Z")!.rfc5322 == "Thu, 29 Feb 2024 23:59:59 +0000")
        #expect(Timestamp(microseconds: 0).rfc5322 == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func theRequestIsReadWithFieldNamedErrors() throws {
        let good = try EmailReply.read(.object([
            "text": "Hello", "quote": false, "cc": .array(["Bo <bo@example.com>"]),
            "attachments": .array([.object(["filename": "a.txt", "content_type": "text/plain", "content_base64": "aGVsbG8="])]),
        ]), attachmentLimit: 100)
        #expect(good.quote == false)
        #expect(good.cc == [MailAddress(name: "Bo", address: "bo@example.com")])
        #expect(good.attachments.first?.content == Array("hello".utf8))

        func fields(_ body: JSONValue, limit: Int = 100) -> [String] {
            do {
                _ = try EmailReply.read(body, attachmentLimit: limit)
                return []
            } catch {
                return error.issues.map(\.field)
            }
        }
        #expect(fields(.object(["text": "  \n"])) == ["text"])
        #expect(fields(.object([:])) == ["text"])
        #expect(fields(.object(["text": "x", "cc": .array(["not an address", "ok@example.com"])])) == ["cc[0]"])
        #expect(fields(.object(["text": "x", "attachments": .array([.object(["filename": "../x", "content_type": "text", "content_base64": "@@"])])]))
                == ["attachments[0].filename", "attachments[0].content_type", "attachments[0].content_base64"])
        #expect(fields(.object(["text": "x", "attachments": .array([.object(["filename": "a", "content_base64": "aGVsbG8="])])]), limit: 3)
                == ["attachments"])
        #expect(fields(.object(["text": "x", "colour": "red"])) == ["colour"])
    }
}
