import Foundation
import RapportCore
import Testing

/// The MIME parser's pieces, each on the forms real mail takes.
@Suite struct MailParserTests {
    let parser = MailParser()

    func parse(_ text: String) -> MailMessage {
        parser.parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test func encodedWordsDecodeAndDropSpaceBetweenAdjacentWords() {
        #expect(EncodedWords.decode("=?UTF-8?B?5oiR55qE6K6i5Y2V?=") == "我的订单")
        #expect(EncodedWords.decode("=?utf-8?q?Caf=C3=A9_au_lait?=") == "Café au lait")
        #expect(EncodedWords.decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab")
        #expect(EncodedWords.decode("Re: =?UTF-8?Q?a?= and =?UTF-8?Q?b?=") == "Re: a and b")
        // One character split over two words (its bytes joined before decoding).
        #expect(EncodedWords.decode("=?UTF-8?B?5oiR5Q==?= =?UTF-8?B?lYo=?=") == "我啊")
        #expect(EncodedWords.decode("=?gb2312?B?xOO6ww==?=") == "你好")
        #expect(EncodedWords.decode("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=") == "こんにちは")
        #expect(EncodedWords.decode("=?broken") == "=?broken")
        #expect(EncodedWords.decode("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=")
    }

    @Test func parametersJoinRFC2231SectionsAndDecodeThem() {
        let simple = MIMEHeaderValue.parse("attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7.pdf")
        #expect(simple.value == "attachment")
        #expect(simple.parameters["filename"] == "报价.pdf")
        let continued = MIMEHeaderValue.parse("attachment; filename*0*=UTF-8''%E6%8A%A5; filename*1*=%E4%BB%B7; filename*2=\".pdf\"")
        #expect(continued.parameters["filename"] == "报价.pdf")
        let outlook = MIMEHeaderValue.parse("application/pdf; name=\"=?UTF-8?B?5oql5Lu3LnBkZg==?=\"")
        #expect(outlook.value == "application/pdf")
        #expect(outlook.parameters["name"] == "报价.pdf")
        let quoted = MIMEHeaderValue.parse("Text/Plain; charset=\"UTF-8\"; format=flowed (comment)")
        #expect(quoted.value == "text/plain")
        #expect(quoted.parameters["charset"] == "UTF-8")
        #expect(MIMEHeaderValue.parse("attachment; filename=my file.pdf").parameters["filename"] == "my file.pdf")
    }

    @Test func transferEncodingsDecodeLenientlyAndSayWhenDamaged() {
        #expect(TransferEncoding.decodeQuotedPrintable(Array("caf=C3=\r\n=A9 =3D x=\r\ny".utf8)[...], underscoreIsSpace: false)
            == Array("café = xy".utf8))
        #expect(TransferEncoding.decodeQuotedPrintable(Array("50% =ZZ off".utf8)[...], underscoreIsSpace: false) == Array("50% =ZZ off".utf8))
        let clean = TransferEncoding.decodeBase64(Array("aGVs\r\nbG8=".utf8)[...])
        #expect(clean == TransferEncoding.Decoded(bytes: Array("hello".utf8), damaged: false))
        let damaged = TransferEncoding.decodeBase64(Array("aGVs*bG8=".utf8)[...])
        #expect(damaged.bytes == Array("hello".utf8))
        #expect(damaged.damaged)
        #expect(TransferEncoding.decodeBase64(Array("aGVsbG".utf8)[...]).damaged)  // cut off mid-quantum
    }

    @Test func charsetsDecodeTheirTextAndFallBackWhenMislabelled() {
        #expect(MailCharset.decode([0xC4, 0xE3, 0xBA, 0xC3], label: "gb2312").text == "你好")
        #expect(MailCharset.decode([0xE9, 0x46], label: "gb2312").text == "镕")  // GBK, labelled GB2312
        #expect(MailCharset.decode([0xA7, 0x41, 0xA6, 0x6E], label: "big5").text == "你好")
        #expect(MailCharset.decode([0x82, 0xB1, 0x82, 0xF1], label: "Shift_JIS").text == "こん")
        #expect(MailCharset.decode([0xC7, 0xD1, 0xB1, 0xDB], label: "ks_c_5601-1987").text == "한글")
        #expect(MailCharset.decode([0xCF, 0xF0, 0xE8], label: "windows-1251").text == "При")
        #expect(MailCharset.decode([0x93, 0x68, 0x69, 0x94, 0x80], label: "iso-8859-1").text == "“hi”€")
        // UTF-8 sent without a charset, or as us-ascii: UTF-8.
        #expect(MailCharset.decode(Array("Grüße".utf8), label: nil).text == "Grüße")
        #expect(MailCharset.decode(Array("Grüße".utf8), label: "us-ascii").text == "Grüße")
        // Declared UTF-8, sent as Windows-1252.
        let latin = MailCharset.decode([0x63, 0x61, 0x66, 0xE9], label: "utf-8")
        #expect(latin.text == "café")
        #expect(latin.fellBack)
        #expect(MailCharset.decode(Array("ok".utf8), label: "x-unknown").text == "ok")
        #expect(!MailCharset.isKnown("x-unknown"))
    }

    @Test func addressListsReadNamesQuotesCommentsAndGroups() {
        let list = MailAddress.list("\"Lima, Ana\" <ana@example.com>, bob@example.com (Bob Stone), =?UTF-8?B?5byg5Lyf?= <zw@example.cn>")
        #expect(list == [MailAddress(name: "Lima, Ana", address: "ana@example.com"),
                         MailAddress(name: "Bob Stone", address: "bob@example.com"),
                         MailAddress(name: "张伟", address: "zw@example.cn")])
        #expect(MailAddress.list("team: a@x.example, b@y.example;").map(\.address) == ["a@x.example", "b@y.example"])
        #expect(MailAddress.list("Lima, Ana <ana@example.com>") == [MailAddress(name: "Lima, Ana", address: "ana@example.com")])
        #expect(MessageIDs.list("<a@x> (comment <not@this>)\r\n <b@y>") == ["a@x", "b@y"])
        #expect(MessageIDs.list("bare@id") == ["bare@id"])
    }

    @Test func datesReadTheFormsMailCarries() throws {
        let expected = try #require(Timestamp(rfc3339: "2026-12-01T02:00:00Z"))
        #expect(MailDate.parse("Tue, 1 Dec 2026 10:00:00 +0800") == expected)
        #expect(MailDate.parse("1 Dec 2026 02:00 GMT") == expected)
        #expect(MailDate.parse("Mon, 30 Nov 2026 21:00:00 EST (Eastern)") == expected)
        #expect(MailDate.parse("Tue, 1 Dec 26 02:00:00 +0000") == expected)
        #expect(MailDate.parse("yesterday") == nil)
        // Found by rapport-bench mime-fuzz: a year this large overflowed the day count.
        #expect(MailDate.parse("Tue, 1 Dec 99999999999999999 10:00:00 +0800") == nil)
        #expect(MailDate.parse("Tue, 1 Dec -5 10:00:00 +0800") == nil)
    }

    @Test func htmlBecomesReadableTextWithQuotesMarked() {
        let html = """
            <html><head><style>p { color: red }</style><title>x</title></head><body>
            <p>Hello&nbsp;Ana &amp; team,</p><div>Your order <b>#1234</b>&#20320;</div>
            <script>alert('no')</script><ul><li>one</li><li>two</li></ul>
            <blockquote class="gmail_quote">old <br>text</blockquote></body></html>
            """
        let text = HTMLText.text(html)
        #expect(text.contains("Hello Ana & team,"))
        #expect(text.contains("Your order #1234你"))
        #expect(text.contains("- one\n- two"))
        #expect(text.contains("> old\n> text"))
        #expect(!text.contains("alert"))
        #expect(!text.contains("color"))
    }

    @Test func repliesSeparateNewTextQuoteAndSignature() {
        let gmail = ReplyText.split("""
            Thanks, that works.

            --\u{20}
            Ana Lima
            Acme Ltd

            On Tue, 1 Dec 2026 at 10:00, Support <support@acme.example>
            wrote:
            > Your refund is on its way.
            """)
        #expect(gmail.new == "Thanks, that works.")
        #expect(gmail.signature.contains("Ana Lima"))
        #expect(gmail.quoted.hasPrefix("On Tue"))
        #expect(gmail.quoted.contains("> Your refund"))
        let chinese = ReplyText.split("好的，谢谢！\n\n发自我的iPhone\n\n在 2026年12月1日 10:00，张伟 <zw@example.cn> 写道：\n> 您的退款已处理")
        #expect(chinese.new == "好的，谢谢！")
        #expect(chinese.signature == "发自我的iPhone")
        #expect(chinese.quoted.contains("您的退款已处理"))
        let outlook = ReplyText.split("See below.\n\nFrom: Support <support@acme.example>\nSent: Tuesday, December 1, 2026 10:00\nTo: Ana\nSubject: Refund")
        #expect(outlook.new == "See below.")
        #expect(outlook.quoted.hasPrefix("From: Support"))
        let foxmail = ReplyText.split("收到\n\n------------------ 原始邮件 ------------------\n发件人: x")
        #expect(foxmail.new == "收到")
        let plain = ReplyText.split("Just a question: > is it bigger?")
        #expect(plain.new == "Just a question: > is it bigger?")
        #expect(plain.quoted.isEmpty)
    }

    @Test func aMultipartMessageGivesItsTextAndAttachments() throws {
        let message = parse("""
            From: =?UTF-8?Q?Ana_Lima?= <ana@example.com>
            To: Support <support@acme.example>
            Subject: =?UTF-8?B?5oiR55qE6K6i5Y2V?= #1234
            Message-ID: <m1@example.com>
            In-Reply-To: <m0@acme.example>
            References: <r1@acme.example>
             <m0@acme.example>
            Date: Tue, 1 Dec 2026 10:00:00 +0800
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            preamble
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Where is my order? Caf=C3=A9
            --inner
            Content-Type: text/html; charset=utf-8

            <p>Where is my order?</p>
            --inner--
            --outer
            Content-Type: application/pdf; name="invoice.pdf"
            Content-Disposition: attachment; filename="invoice.pdf"
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            --outer--
            epilogue
            """)
        #expect(message.subject == "我的订单 #1234")
        #expect(message.from == MailAddress(name: "Ana Lima", address: "ana@example.com"))
        #expect(message.to.map(\.address) == ["support@acme.example"])
        #expect(message.messageID == "m1@example.com")
        #expect(message.inReplyTo == "m0@acme.example")
        #expect(message.references == ["r1@acme.example", "m0@acme.example"])
        #expect(message.date == Timestamp(rfc3339: "2026-12-01T02:00:00Z"))
        #expect(message.text == "Where is my order? Café")
        #expect(message.html?.contains("<p>") == true)
        #expect(message.attachments.count == 1)
        let attachment = try #require(message.attachments.first)
        #expect(attachment.filename == "invoice.pdf")
        #expect(attachment.contentType == "application/pdf")
        #expect(attachment.content == Array("%PDF-1.4\n".utf8))
        #expect(!message.isMalformed)
        #expect(message.flags.isEmpty)
    }

    @Test func brokenMessagesAreReadAsFarAsTheyGoAndFlagged() {
        let unclosed = parse("""
            Subject: cut
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            the text survives
            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            AAEC
            """)
        #expect(unclosed.text == "the text survives")
        #expect(unclosed.attachments.first?.content == [0, 1, 2])
        #expect(unclosed.problems.contains(.missingClosingBoundary))
        #expect(unclosed.isMalformed)
        #expect(unclosed.flags.contains("malformed"))

        let noBoundary = parse("Subject: x\nContent-Type: multipart/mixed\n\nbody text")
        #expect(noBoundary.problems.contains(.missingBoundary))
        #expect(noBoundary.text == "body text")

        #expect(parser.parse([]).problems.contains(.empty))
        let bareLF = parser.parse(Array("Subject: lf\nFrom: a@b.example\n\nline one\nline two\n".utf8))
        #expect(bareLF.subject == "lf")
        #expect(bareLF.text == "line one\nline two\n")
        #expect(!bareLF.isMalformed)
    }

    @Test func deliveryReportsAndAutomaticRepliesAreRecognised() {
        let bounce = parse("""
            From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            Auto-Submitted: auto-replied
            Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

            --dsn
            Content-Type: text/plain

            I'm sorry to have to inform you that your message could not be delivered.
            --dsn
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.acme.example

            Final-Recipient: rfc822; lucy@example.org
            Original-Recipient: rfc822;lucy@example.org
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 <lucy@example.org>: Recipient address rejected

            --dsn
            Content-Type: text/rfc822-headers

            Message-ID: <sent-1@acme.example>
            Subject: Your invoice
            --dsn--
            """)
        let report = bounce.deliveryReport
        #expect(report?.failedRecipients.map(\.address) == ["lucy@example.org"])
        #expect(report?.recipients.first?.status == "5.1.1")
        #expect(report?.originalMessageID == "sent-1@acme.example")
        #expect(bounce.flags.contains("bounce"))
        #expect(bounce.isAutoReply)
        #expect(bounce.attachments.map(\.contentType) == ["text/rfc822-headers"])

        let outOfOffice = parse("From: bob@example.com\nSubject: Automatic reply: Your invoice\nX-Auto-Response-Suppress: All\n\nI am away.")
        #expect(outOfOffice.isAutoReply)
        let person = parse("From: bob@example.com\nSubject: Out of stock?\nAuto-Submitted: no\n\nIs it back?")
        #expect(!person.isAutoReply)
    }

    @Test func inboundMailThreadsBySubjectWithoutReplyPrefixes() {
        #expect(InboundMail.threadSubject("Re: RE: Fwd: Your order") == "your order")
        #expect(InboundMail.threadSubject("回复：答复: 您的订单") == "您的订单")
        #expect(InboundMail.threadSubject("Re[2]: Invoice 7") == "invoice 7")
        #expect(InboundMail.threadSubject("Regarding the loan") == "regarding the loan")
    }
}
