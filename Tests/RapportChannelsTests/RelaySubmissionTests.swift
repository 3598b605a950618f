import Logging
@testable import RapportChannels
import RapportCore
import ServiceLifecycle
import Synchronization
import Testing

/// The relay client against Rapport's own SMTP server (a real one on a loopback port), with an
/// intake that keeps what arrives and takes mail only for `@acme.example`.
@Suite struct RelaySubmissionTests {
    final class KeepingIntake: MailIntake {
        let delivered = Mutex<[(raw: [UInt8], envelope: SMTPSession.Envelope)]>([])

        func accepts(recipient address: String) async throws -> Bool { address.hasSuffix("@acme.example") }

        func deliver(_ raw: [UInt8], envelope: SMTPSession.Envelope) async throws -> String {
            delivered.withLock { $0.append((raw, envelope)) }
            return "kept-1"
        }
    }

    /// Runs `body` with an SMTP server on a free port; the intake is what it received.
    func withServer(_ body: (Int, KeepingIntake) async throws -> Void) async throws {
        let intake = KeepingIntake()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let configuration = SMTPServerConfiguration(host: "127.0.0.1", port: 0, hostname: "relay.test", maxMessageBytes: 100_000,
                                                    senderRatePerMinute: 1_000, tlsCertificatePath: nil, tlsKeyPath: nil,
                                                    attachmentMaxBytes: 100_000)
        let server = try SMTPServer(configuration: configuration, intake: intake, logger: Logger(label: "test"),
                                    onListening: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port, intake)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func relay(_ port: Int, security: RelayConfiguration.Security = .none, username: String? = nil) throws -> RelaySubmission {
        try RelaySubmission(relay: RelayConfiguration(host: "127.0.0.1", port: port, security: security, username: username,
                                                      password: username == nil ? nil : "secret", hostname: "rapport.test",
                                                      timeout: .seconds(10)))
    }

    @Test func aMessageArrivesAsItWasWrittenWithDotsAndLineEnds() async throws {
        try await withServer { port, intake in
            let message = Array("Subject: dots\r\n\r\n.leading dot\n..two dots\r\n.\r\nlast line without break".utf8)
            let marked = Mutex(false)
            let result = try await relay(port).submit(message, from: "support@rapport.test", to: ["ana@acme.example"]) {
                marked.withLock { $0 = true }
            }
            guard case .accepted(let reply, let refused) = result else { Issue.record("not accepted: \(result)"); return }
            #expect(reply.hasPrefix("250"))
            #expect(refused.isEmpty)
            #expect(marked.withLock { $0 })
            let kept = intake.delivered.withLock { $0 }
            #expect(kept.count == 1)
            #expect(kept.first?.envelope == SMTPSession.Envelope(from: "support@rapport.test", recipients: ["ana@acme.example"]))
            #expect(kept.first.map { String(decoding: $0.raw, as: UTF8.self) }
                    == "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line without break\r\n")
        }
    }

    @Test func refusedRecipientsAreReportedAndAllRefusedStops() async throws {
        try await withServer { port, intake in
            let some = try await relay(port).submit(Array("Subject: x\r\n\r\nhi\r\n".utf8), from: "s@rapport.test",
                                                to: ["ana@acme.example", "nobody@elsewhere.example"]) {}
            guard case .accepted(_, let refused) = some else { Issue.record("not accepted: \(some)"); return }
            #expect(refused.map(\.address) == ["nobody@elsewhere.example"])
            #expect(refused.first?.code == 550)
            #expect(refused.first?.isBadAddress == true)

            let none = try await relay(port).submit(Array("Subject: x\r\n\r\nhi\r\n".utf8), from: "s@rapport.test",
                                                to: ["nobody@elsewhere.example"]) {}
            guard case .refused(let stage, let code, _, let recipients) = none else { Issue.record("not refused: \(none)"); return }
            #expect(stage == .recipients)
            #expect(code == 550)
            #expect(recipients.count == 1)
            #expect(intake.delivered.withLock { $0.count } == 1)
        }
    }

    @Test func nothingArrivesWhenTheHandOverCannotBeRecorded() async throws {
        struct Lost: Error {}
        try await withServer { port, intake in
            let result = try await relay(port).submit(Array("Subject: x\r\n\r\nhi\r\n".utf8), from: "s@rapport.test", to: ["ana@acme.example"]) {
                throw Lost()
            }
            guard case .notDelivered(let stage, _) = result else { Issue.record("delivered: \(result)"); return }
            #expect(stage == .data)
            // The next message on a new connection is taken: the server dropped the unfinished one.
            let next = try await relay(port).submit(Array("Subject: y\r\n\r\nhi\r\n".utf8), from: "s@rapport.test", to: ["ana@acme.example"]) {}
            guard case .accepted = next else { Issue.record("not accepted: \(next)"); return }
            #expect(intake.delivered.withLock { $0.map { String(decoding: $0.raw, as: UTF8.self) } } == ["Subject: y\r\n\r\nhi\r\n"])
        }
    }

    @Test func aRelayWithoutWhatTheSettingsAskForIsNotUsed() async throws {
        try await withServer { port, intake in
            let plain = try await relay(port, security: .starttls).submit(Array("x\r\n".utf8), from: "s@rapport.test", to: ["ana@acme.example"]) {}
            guard case .notDelivered(let stage, let reason) = plain else { Issue.record("delivered: \(plain)"); return }
            #expect(stage == .tls)
            #expect(reason.contains("STARTTLS"))
            let noAuth = try await relay(port, username: "agent").submit(Array("x\r\n".utf8), from: "s@rapport.test", to: ["ana@acme.example"]) {}
            guard case .notDelivered(.authentication, _) = noAuth else { Issue.record("delivered: \(noAuth)"); return }
            #expect(intake.delivered.withLock { $0.isEmpty })
        }
        // Nothing listens on the port any more.
        let closed = try await relay(1).submit(Array("x\r\n".utf8), from: "s@rapport.test", to: ["a@acme.example"]) {}
        guard case .notDelivered(.connect, _) = closed else { Issue.record("delivered: \(closed)"); return }
    }

    @Test func relayAddressesAreRead() {
        let submission = RelayConfiguration(url: "smtp+starttls://mail.example.com", username: nil, password: nil,
                                            trustedCertificatesPath: nil, hostname: "h")
        #expect(submission?.port == 587)
        #expect(submission?.security == .starttls)
        #expect(RelayConfiguration(url: "smtps://[::1]:2465", username: nil, password: nil, trustedCertificatesPath: nil, hostname: "h")?.host == "::1")
        #expect(RelayConfiguration(url: "SMTP://relay:2525/", username: nil, password: nil, trustedCertificatesPath: nil, hostname: "h")?.port == 2525)
        for bad in ["http://x", "smtp://", "smtp://user@host", "smtp://host:0", "smtp://host:x", "smtp://host/path"] {
            #expect(RelayConfiguration(url: bad, username: nil, password: nil, trustedCertificatesPath: nil, hostname: "h") == nil, "\(bad)")
        }
        #expect(RelaySubmission.authMechanisms(SMTPReply(code: 250, lines: ["hi", "AUTH LOGIN PLAIN", "AUTH=CRAM-MD5"])) == ["LOGIN", "PLAIN", "CRAM-MD5"])
        #expect(RelaySubmission.offers(SMTPReply(code: 250, lines: ["hi", "SIZE 1000", "STARTTLS"]), "SIZE"))
        #expect(!RelaySubmission.offers(SMTPReply(code: 250, lines: ["STARTTLS is the greeting"]), "STARTTLS"))
    }
}
