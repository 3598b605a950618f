import Foundation
import NIOCore
import NIOSSL
import RapportCore

/// A connection to an SMTP relay: one reply per command.
typealias SMTPClientConnection = ClientConnection<SMTPReply>

/// Hands one message to the relay (RFC 5321 with RFC 6409 submission): greeting, `EHLO`,
/// `STARTTLS` and `EHLO` again, `AUTH PLAIN` or `AUTH LOGIN`, `MAIL FROM`, a `RCPT TO` per
/// recipient, `DATA`, the content dot-stuffed, then the end of the message.
///
/// `beforeEnd` runs when everything but the final `.` has been sent: the sender records there
/// that the message is being handed over, so that after a crash it knows which messages the
/// relay may have (those are not sent again) and which it cannot have (those are).
struct RelaySubmission {
    let relay: RelayConfiguration
    /// For `starttls` and `tls`; nil for `none`.
    let tls: NIOSSLContext?

    init(relay: RelayConfiguration) throws {
        self.relay = relay
        guard relay.security != .none else { tls = nil; return }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path = relay.trustedCertificatesPath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
        }
        tls = try NIOSSLContext(configuration: configuration)
    }

    /// How long the relay may take to answer the end of a message (RFC 5321 §4.5.3.2.6 allows ten minutes).
    static let endTimeout = TimeAmount.minutes(5)

    func submit(_ message: [UInt8], from sender: String, to recipients: [String],
                beforeEnd: @Sendable () async throws -> Void) async -> SubmissionResult {
        let connection: SMTPClientConnection
        do {
            connection = try await SMTPClientConnection.connect(host: relay.host, port: relay.port,
                                                                implicitTLS: relay.security == .tls ? tls : nil, timeout: relay.timeout,
                                                                decoder: SMTPReplyDecoder())
        } catch {
            return .notDelivered(stage: .connect, reason: "\(relay.host):\(relay.port): \(error)")
        }
        let result = await dialogue(connection, message: message, sender: sender, recipients: recipients, beforeEnd: beforeEnd)
        if case .accepted = result { _ = try? await connection.command("QUIT") }
        await connection.close()
        return result
    }

    /// A step that failed: where, and with which reply or error.
    private struct Stop: Error {
        var result: SubmissionResult
    }

    private func dialogue(_ connection: SMTPClientConnection, message: [UInt8], sender: String, recipients: [String],
                          beforeEnd: @Sendable () async throws -> Void) async -> SubmissionResult {
        do {
            try expect(try await step(.greeting) { try await connection.command(nil) }, 220, at: .greeting, temporary: true)
            var hello = try await step(.hello) { try await connection.command("EHLO \(relay.hostname)") }
            try expect(hello, 250, at: .hello, temporary: true)
            if relay.security == .starttls {
                guard Self.offers(hello, "STARTTLS"), let tls else {
                    throw Stop(result: .notDelivered(stage: .tls, reason: "the relay does not offer STARTTLS"))
                }
                try expect(try await step(.tls) { try await connection.command("STARTTLS") }, 220, at: .tls, temporary: true)
                do {
                    try await connection.startTLS(tls, serverHostname: SMTPClientConnection.serverName(relay.host))
                } catch {
                    throw Stop(result: .notDelivered(stage: .tls, reason: "\(error)"))
                }
                hello = try await step(.tls) { try await connection.command("EHLO \(relay.hostname)") }
                try expect(hello, 250, at: .tls, temporary: true)
            }
            if let username = relay.username {
                try await authenticate(connection, hello: hello, username: username, password: relay.password ?? "")
            }

            var parameters = ""
            if Self.offers(hello, "SIZE") { parameters += " SIZE=\(message.count)" }
            if !sender.allSatisfy(\.isASCII) || recipients.contains(where: { !$0.allSatisfy(\.isASCII) }) {
                guard Self.offers(hello, "SMTPUTF8") else {
                    throw Stop(result: .refused(stage: .sender, code: 553, reply: "the relay does not take non-ASCII addresses (no SMTPUTF8)",
                                                recipients: []))
                }
                parameters += " SMTPUTF8"
            }
            let mail = try await step(.sender) { try await connection.command("MAIL FROM:<\(sender)>\(parameters)") }
            guard mail.code == 250 else { throw Stop(result: .refused(stage: .sender, code: mail.code, reply: mail.text, recipients: [])) }

            var refused: [RefusedRecipient] = []
            var accepted = 0
            for recipient in recipients {
                let reply = try await step(.recipients) { try await connection.command("RCPT TO:<\(recipient)>") }
                if reply.code == 250 || reply.code == 251 {
                    accepted += 1
                } else {
                    refused.append(RefusedRecipient(address: recipient, code: reply.code, reply: reply.text))
                }
            }
            guard accepted > 0 else {
                // Any temporary refusal makes the whole attempt temporary: it is tried again.
                let first = refused.first { $0.code < 500 } ?? refused.first
                throw Stop(result: .refused(stage: .recipients, code: first?.code ?? 554, reply: first?.reply ?? "no recipients",
                                            recipients: refused))
            }

            let data = try await step(.data) { try await connection.command("DATA") }
            guard data.code == 354 else { throw Stop(result: .refused(stage: .data, code: data.code, reply: data.text, recipients: [])) }
            do {
                try await connection.write(Self.dotStuffed(message))
                try await beforeEnd()
            } catch {
                // The end was not sent: the relay discards what it has, and the message is tried again.
                throw Stop(result: .notDelivered(stage: .data, reason: "\(error)"))
            }
            let end: SMTPReply
            do {
                end = try await connection.exchange(ByteBuffer(string: ".\r\n"), timeout: Self.endTimeout)
            } catch {
                return .unanswered(reason: "\(error)")
            }
            guard end.code == 250 else { return .refused(stage: .end, code: end.code, reply: end.text, recipients: []) }
            return .accepted(reply: "\(end.code) \(end.text)", refused: refused)
        } catch let stop as Stop {
            return stop.result
        } catch {
            return .notDelivered(stage: .connect, reason: "\(error)")
        }
    }

    /// Runs one exchange; a failure before any answer is `notDelivered` at `stage`.
    private func step(_ stage: SubmissionStage, _ exchange: () async throws -> SMTPReply) async throws -> SMTPReply {
        do {
            return try await exchange()
        } catch {
            throw Stop(result: .notDelivered(stage: stage, reason: "\(error)"))
        }
    }

    /// Stops unless the reply has `code`; with `temporary`, a refusal there is the relay's state
    /// or setting, not the message's, and the message waits.
    private func expect(_ reply: SMTPReply, _ code: Int, at stage: SubmissionStage, temporary: Bool) throws {
        guard reply.code != code else { return }
        if temporary { throw Stop(result: .notDelivered(stage: stage, reason: "\(reply.code) \(reply.text)")) }
        throw Stop(result: .refused(stage: stage, code: reply.code, reply: reply.text, recipients: []))
    }

    /// `AUTH PLAIN` (RFC 4616) when offered, else `AUTH LOGIN`; never over a connection without
    /// TLS to another host, where the password would travel in the clear.
    private func authenticate(_ connection: SMTPClientConnection, hello: SMTPReply, username: String, password: String) async throws {
        let loopback = ["localhost", "127.0.0.1", "::1"].contains(relay.host.lowercased())
        guard relay.security != .none || loopback else {
            throw Stop(result: .notDelivered(stage: .authentication, reason: "refusing to send the password without TLS; use smtp+starttls:// or smtps://"))
        }
        let mechanisms = Self.authMechanisms(hello)
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            let reply = try await step(.authentication) { try await connection.command("AUTH PLAIN \(token)") }
            try expect(reply, 235, at: .authentication, temporary: true)
        } else if mechanisms.contains("LOGIN") {
            try expect(try await step(.authentication) { try await connection.command("AUTH LOGIN") }, 334, at: .authentication, temporary: true)
            let user = try await step(.authentication) { try await connection.command(Data(username.utf8).base64EncodedString()) }
            try expect(user, 334, at: .authentication, temporary: true)
            let pass = try await step(.authentication) { try await connection.command(Data(password.utf8).base64EncodedString()) }
            try expect(pass, 235, at: .authentication, temporary: true)
        } else {
            throw Stop(result: .notDelivered(stage: .authentication, reason: "the relay offers no AUTH PLAIN or LOGIN (offered: \(mechanisms.sorted().joined(separator: " ")))"))
        }
    }

    /// Whether an `EHLO` reply lists `keyword` (`SIZE 1000` lists `SIZE`).
    static func offers(_ hello: SMTPReply, _ keyword: String) -> Bool {
        hello.lines.dropFirst().contains { $0.uppercased().split(separator: " ").first.map(String.init) == keyword }
    }

    /// The SASL mechanisms an `EHLO` reply lists after `AUTH` (or the old `AUTH=`).
    static func authMechanisms(_ hello: SMTPReply) -> Set<String> {
        var mechanisms = Set<String>()
        for line in hello.lines.dropFirst() {
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            if words.first == "AUTH" { mechanisms.formUnion(words.dropFirst()) }
        }
        return mechanisms
    }

    /// The content as DATA sends it: CRLF line ends, a leading `.` doubled (RFC 5321 §4.5.2),
    /// ending with a line break so the final `.` stands on its own line.
    static func dotStuffed(_ message: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(message.count + message.count / 40 + 4)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if atLineStart, byte == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
            if byte == 10, previous != 13 { buffer.writeInteger(UInt8(13)) }
            buffer.writeInteger(byte)
            atLineStart = byte == 10
            previous = byte
        }
        if !atLineStart { buffer.writeString("\r\n") }
        return buffer
    }
}
