@testable import RapportChannels
import Testing

/// The SMTP server's conversation, without a socket: what it answers to each command and what
/// it asks the connection to check or store.
@Suite struct SMTPSessionTests {
    func session(tls: Bool = false, maxBytes: Int = 1_000) -> SMTPSession {
        SMTPSession(configuration: SMTPSession.Configuration(hostname: "mx.acme.example", maxMessageBytes: maxBytes, tlsAvailable: tls))
    }

    func reply(_ step: SMTPSession.Step) -> SMTPReply? {
        if case .reply(let reply) = step { return reply }
        return nil
    }

    @Test func aWholeTransactionAsksForEachCheckAndEndsWithTheEnvelope() {
        var smtp = session()
        #expect(smtp.greeting.wire == "220 mx.acme.example ESMTP Rapport\r\n")
        let ehlo = reply(smtp.command("EHLO client.example\r\n"))
        #expect(ehlo?.code == 250)
        #expect(ehlo?.lines.contains("SIZE 1000") == true)
        #expect(ehlo?.lines.contains("PIPELINING") == true)
        #expect(ehlo?.lines.contains("STARTTLS") == false)
        #expect(smtp.command("MAIL FROM:<Ana@Example.com> SIZE=500 BODY=8BITMIME") == .checkSender(from: "Ana@Example.com"))
        #expect(smtp.senderChecked("Ana@Example.com", allowed: true).code == 250)
        #expect(smtp.command("RCPT TO:<support@acme.example>") == .checkRecipient("support@acme.example"))
        #expect(smtp.recipientChecked("support@acme.example", accepted: true).code == 250)
        #expect(smtp.command("RCPT TO: <nobody@acme.example>") == .checkRecipient("nobody@acme.example"))
        let refused = smtp.recipientChecked("nobody@acme.example", accepted: false)
        #expect(refused.code == 550)
        #expect(refused.lines[0].hasPrefix("5.1.1"))
        guard case .readData(let go) = smtp.command("DATA") else { Issue.record("DATA not accepted"); return }
        #expect(go.code == 354)
        #expect(smtp.dataEnded(oversize: false) == .success(SMTPSession.Envelope(from: "Ana@Example.com", recipients: ["support@acme.example"])))
        #expect(smtp.delivered(as: "mail_1").wire == "250 2.0.0 Ok: queued as mail_1\r\n")
        // The next transaction starts afresh on the same connection.
        #expect(smtp.command("MAIL FROM:<>") == .checkSender(from: nil))
    }

    @Test func commandsOutOfOrderAreRefusedAndTooManyErrorsClose() {
        var smtp = session()
        #expect(reply(smtp.command("MAIL FROM:<a@b.example>"))?.code == 503)
        #expect(reply(smtp.command("HELO x"))?.code == 250)
        #expect(reply(smtp.command("RCPT TO:<a@b.example>"))?.code == 503)
        #expect(reply(smtp.command("DATA"))?.code == 503)
        #expect(reply(smtp.command("MAIL FROM:a@b.example"))?.code == nil)  // asks for the sender check
        _ = smtp.senderChecked("a@b.example", allowed: true)
        #expect(reply(smtp.command("DATA"))?.code == 554)  // no recipient accepted
        #expect(reply(smtp.command("MAIL FROM:<x@y.example>"))?.code == 503)  // nested
        #expect(reply(smtp.command("RSET"))?.code == 250)
        #expect(reply(smtp.command("FROB"))?.code == 502)
        #expect(reply(smtp.command("MAIL TO:<a@b.example>"))?.code == 501)
        #expect(reply(smtp.command("AUTH PLAIN abc"))?.code == 502)
        var errors = 0
        while case .reply = smtp.command("FROB") { errors += 1; if errors > 100 { break } }
        #expect(errors < 20)
        #expect(smtp.command("QUIT") == .replyAndClose(SMTPReply(221, "2.0.0 Bye")))
    }

    @Test func sizeIsRefusedWhenDeclaredAndWhenSent() {
        var smtp = session(maxBytes: 1_000)
        _ = smtp.command("EHLO x")
        #expect(reply(smtp.command("MAIL FROM:<a@b.example> SIZE=1001"))?.code == 552)
        _ = smtp.command("MAIL FROM:<a@b.example>")
        _ = smtp.senderChecked("a@b.example", allowed: true)
        _ = smtp.command("RCPT TO:<s@acme.example>")
        _ = smtp.recipientChecked("s@acme.example", accepted: true)
        _ = smtp.command("DATA")
        guard case .failure(let error) = smtp.dataEnded(oversize: true) else { Issue.record("oversize accepted"); return }
        #expect(error.reply.code == 552)
        #expect(smtp.phase == .greeted)
    }

    @Test func aSenderOverTheRateIsToldToComeBackLater() {
        var smtp = session()
        _ = smtp.command("EHLO x")
        let refused = smtp.senderChecked("a@b.example", allowed: false)
        #expect(refused.code == 450)
        #expect(smtp.phase == .greeted)
        var limit = SenderRateLimit(perMinute: 3)
        var taken = 0
        for _ in 0..<3 where limit.take("A@b.example", now: 100) { taken += 1 }
        #expect(taken == 3)
        let answers = [limit.take("a@b.example", now: 100), limit.take("other@b.example", now: 100),
                       limit.take("a@b.example", now: 110),  // 10 s refill half a token
                       limit.take("a@b.example", now: 120), limit.take(nil, now: 120)]
        #expect(answers == [false, true, false, true, true])
    }

    @Test func startTLSIsOfferedOnceAndResetsTheSession() {
        var smtp = session(tls: true)
        #expect(reply(smtp.command("EHLO x"))?.lines.contains("STARTTLS") == true)
        #expect(smtp.command("STARTTLS") == .startTLS(SMTPReply(220, "2.0.0 Ready to start TLS")))
        smtp.tlsStarted()
        #expect(reply(smtp.command("MAIL FROM:<a@b.example>"))?.code == 503)  // EHLO again first
        #expect(reply(smtp.command("EHLO x"))?.lines.contains("STARTTLS") == false)
        #expect(reply(smtp.command("STARTTLS"))?.code == 503)
        var plain = session(tls: false)
        #expect(reply(plain.command("STARTTLS"))?.code == 502)
    }

    @Test func pathsAreReadLeniently() {
        #expect(SMTPCommand.parse("mail from: <a@b.example> size=10") == .mail(from: "a@b.example", parameters: ["SIZE": "10"]))
        #expect(SMTPCommand.parse("RCPT TO:<@relay.example:a@b.example>") == .rcpt(to: "a@b.example", parameters: [:]))
        #expect(SMTPCommand.parse("RCPT TO:<postmaster>") == .rcpt(to: "postmaster", parameters: [:]))
        #expect(SMTPCommand.parse("RCPT TO:<not an address>") == .syntaxError("Syntax: RCPT TO:<address>"))
        #expect(SMTPCommand.parse("EHLO") == .syntaxError("EHLO needs a domain"))
    }
}
