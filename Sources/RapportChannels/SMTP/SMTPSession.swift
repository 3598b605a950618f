/// The SMTP server's side of one connection (RFC 5321, with RFC 1870 SIZE, RFC 2920
/// PIPELINING, RFC 3207 STARTTLS, RFC 2034 enhanced codes), as a pure state machine: it takes
/// command lines and the outcome of checks the handler performs (sender rate, recipient
/// address, storing the message), and says what to answer and do next. No I/O in it.
struct SMTPSession {
    struct Configuration {
        var hostname: String
        var maxMessageBytes: Int
        var tlsAvailable: Bool
        var maxRecipients = 100
        /// Bad commands tolerated before the connection is closed.
        var maxErrors = 20
    }

    struct Envelope: Equatable, Sendable {
        var from: String?
        var recipients: [String]
    }

    enum Phase: Equatable {
        case connected
        case greeted
        case mail(from: String?)
        case recipients(Envelope)
        case data(Envelope)
    }

    enum Step: Equatable {
        case reply(SMTPReply)
        case replyAndClose(SMTPReply)
        /// Send the reply, then start TLS before reading on.
        case startTLS(SMTPReply)
        /// Check that `from` may send now (rate), then call `senderChecked`.
        case checkSender(from: String?)
        /// Check that `to` is an address here, then call `recipientChecked`.
        case checkRecipient(String)
        /// Send the reply (354) and read the message up to the line `.`.
        case readData(SMTPReply)
    }

    let configuration: Configuration
    private(set) var phase = Phase.connected
    private(set) var tlsActive = false
    private var errors = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    var greeting: SMTPReply { SMTPReply(220, "\(configuration.hostname) ESMTP Rapport") }

    mutating func command(_ line: String) -> Step {
        switch SMTPCommand.parse(line) {
        case .helo:
            phase = .greeted
            return .reply(SMTPReply(250, configuration.hostname))
        case .ehlo(let domain):
            phase = .greeted
            var lines = ["\(configuration.hostname) greets \(domain.prefix(100))", "PIPELINING", "SIZE \(configuration.maxMessageBytes)",
                         "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"]
            if configuration.tlsAvailable, !tlsActive { lines.append("STARTTLS") }
            return .reply(SMTPReply(code: 250, lines: lines))
        case .mail(let from, let parameters):
            switch phase {
            case .connected: return error(SMTPReply(503, "5.5.1 Error: send HELO/EHLO first"))
            case .mail, .recipients, .data: return error(SMTPReply(503, "5.5.1 Error: nested MAIL command"))
            case .greeted: break
            }
            if let size = parameters["SIZE"].flatMap(Int.init), size > configuration.maxMessageBytes {
                return .reply(SMTPReply(552, "5.3.4 Message size exceeds fixed limit of \(configuration.maxMessageBytes) bytes"))
            }
            if let body = parameters["BODY"], !["7BIT", "8BITMIME"].contains(body.uppercased()) {
                return error(SMTPReply(555, "5.5.4 Unsupported BODY parameter"))
            }
            return .checkSender(from: from)
        case .rcpt(let to, _):
            switch phase {
            case .mail, .recipients: break
            default: return error(SMTPReply(503, "5.5.1 Error: need MAIL command"))
            }
            if case .recipients(let envelope) = phase, envelope.recipients.count >= configuration.maxRecipients {
                return .reply(SMTPReply(452, "4.5.3 Error: too many recipients"))
            }
            return .checkRecipient(to)
        case .data:
            switch phase {
            case .recipients(let envelope):
                phase = .data(envelope)
                return .readData(SMTPReply(354, "End data with <CR><LF>.<CR><LF>"))
            case .mail: return error(SMTPReply(554, "5.5.1 Error: no valid recipients"))
            default: return error(SMTPReply(503, "5.5.1 Error: need RCPT command"))
            }
        case .rset:
            if phase != .connected { phase = .greeted }
            return .reply(SMTPReply(250, "2.0.0 Ok"))
        case .noop:
            return .reply(SMTPReply(250, "2.0.0 Ok"))
        case .quit:
            return .replyAndClose(SMTPReply(221, "2.0.0 Bye"))
        case .startTLS:
            guard configuration.tlsAvailable else { return error(SMTPReply(502, "5.5.1 Error: command not implemented")) }
            guard !tlsActive else { return error(SMTPReply(503, "5.5.1 Error: TLS already active")) }
            return .startTLS(SMTPReply(220, "2.0.0 Ready to start TLS"))
        case .vrfy:
            return .reply(SMTPReply(252, "2.5.2 Cannot VRFY user, but will accept message and attempt delivery"))
        case .help:
            return .reply(SMTPReply(214, "2.0.0 See RFC 5321"))
        case .auth:
            return error(SMTPReply(502, "5.5.1 Error: authentication not offered here"))
        case .syntaxError(let text):
            return error(SMTPReply(501, "5.5.4 \(text)"))
        case .unknown:
            return error(SMTPReply(502, "5.5.2 Error: command not recognized"))
        }
    }

    /// A command line longer than RFC 5321 allows.
    mutating func lineTooLong() -> Step {
        error(SMTPReply(500, "5.5.2 Error: line too long"))
    }

    mutating func senderChecked(_ from: String?, allowed: Bool) -> SMTPReply {
        guard allowed else { return SMTPReply(450, "4.7.1 Error: too many messages from this sender, try again later") }
        phase = .mail(from: from)
        return SMTPReply(250, "2.1.0 Ok")
    }

    mutating func recipientChecked(_ to: String, accepted: Bool) -> SMTPReply {
        guard accepted else { return SMTPReply(550, "5.1.1 <\(to.prefix(320))>: Recipient address rejected: no such mailbox here") }
        switch phase {
        case .mail(let from): phase = .recipients(Envelope(from: from, recipients: [to]))
        case .recipients(var envelope):
            if !envelope.recipients.contains(where: { $0.lowercased() == to.lowercased() }) { envelope.recipients.append(to) }
            phase = .recipients(envelope)
        default: break
        }
        return SMTPReply(250, "2.1.5 Ok")
    }

    /// The message ended (the line `.`): the envelope to deliver, or the reply when it was too large.
    mutating func dataEnded(oversize: Bool) -> Result<Envelope, SMTPReplyError> {
        guard case .data(let envelope) = phase else { return .failure(SMTPReplyError(SMTPReply(503, "5.5.1 Error: no message"))) }
        phase = .greeted
        if oversize {
            return .failure(SMTPReplyError(SMTPReply(552, "5.3.4 Message size exceeds fixed limit of \(configuration.maxMessageBytes) bytes")))
        }
        return .success(envelope)
    }

    func delivered(as id: String) -> SMTPReply {
        SMTPReply(250, "2.0.0 Ok: queued as \(id)")
    }

    func deliveryFailed() -> SMTPReply {
        SMTPReply(451, "4.3.0 Error: could not store the message, try again later")
    }

    /// TLS is up: the client starts again with EHLO (RFC 3207 §4.2).
    mutating func tlsStarted() {
        tlsActive = true
        phase = .connected
    }

    private mutating func error(_ reply: SMTPReply) -> Step {
        errors += 1
        if errors >= configuration.maxErrors {
            return .replyAndClose(SMTPReply(421, "4.7.0 \(configuration.hostname) Error: too many errors, closing"))
        }
        return .reply(reply)
    }
}

struct SMTPReplyError: Error, Equatable {
    var reply: SMTPReply
    init(_ reply: SMTPReply) { self.reply = reply }
}
