import Foundation
import Logging
import NIOSSL
import RapportCore
import RapportStore
import ServiceLifecycle

/// Fetches the IMAP mailboxes of the email channels that have one (`settings.imap`): each
/// message becomes received mail exactly as if it had come by SMTP.
///
/// None is taken twice: the mailbox's UIDVALIDITY and the last UID stored are saved in the
/// transaction that stores the messages, and fetching resumes after that UID; the messages are
/// also flagged `$RapportFetched` on the server. Where the mailbox was rebuilt (a new
/// UIDVALIDITY), the unflagged messages are taken again and the store's Message-ID check keeps
/// out what it already holds. New mail is awaited with IDLE where the server has it, by
/// polling otherwise. On a cluster one node fetches each mailbox (a lease named for it).
public actor MailboxFetcher: Service {
    let store: Store
    let mail: any MailStore
    let reader: MailboxReader
    let logger: Logger
    let clock: any Clock<Duration>
    var node: String { reader.node }
    /// The settings each running channel's fetch was started with; a change restarts it.
    private var running: [String: MailboxSettings] = [:]

    /// `trustedCertificatesPath`: PEM certificates to trust for mailboxes' TLS instead of the system's.
    public init(store: Store, normalizer: IdentityNormalizer, attachmentMaxBytes: Int, maxMessageBytes: Int,
                trustedCertificatesPath: String? = nil, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) throws {
        self.store = store
        self.mail = store.mail
        self.logger = logger
        self.clock = clock
        self.reader = MailboxReader(store: store, mail: store.mail, normalizer: normalizer, attachmentMaxBytes: attachmentMaxBytes,
                                    maxMessageBytes: maxMessageBytes, logger: logger, clock: clock,
                                    tls: try Self.tlsContext(trusting: trustedCertificatesPath),
                                    node: "node-" + String(UUID().uuidString.prefix(8)).lowercased())
    }

    /// What the API shows of a failed fetch (the log keeps the whole error): an untrusted
    /// certificate said in words, and no file paths of the machine that built Rapport.
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the mailbox server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); give its CA with --mailbox-ca-file"
        }
        return text.replacingOccurrences(of: #" at /[^\]\)]*"#, with: "", options: .regularExpression)
    }

    static func tlsContext(trusting path: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path)) }
        return try NIOSSLContext(configuration: configuration)
    }

    public func run() async throws {
        // Stopping (a shutdown before the schema was even current) is no failure of the server's.
        do {
            try await runUntilShutdown()
        } catch is CancellationError {
        }
    }

    private func runUntilShutdown() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let head = (try? await self.store.events.eventLogHead()) ?? 0
                    for (channelID, settings) in await self.mailboxesToStart() {
                        group.addTask { await self.fetch(channelID, settings) }
                    }
                    // A channel's change is a commit: look again after the next one (at most twice a
                    // second, however busy the log), or every five seconds.
                    await self.store.events.waitForCommit(after: head, timeout: .seconds(1))
                    try? await self.clock.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    /// The mailboxes whose fetch is not running with their current settings; those whose
    /// settings changed or went away stop at their next turn.
    private func mailboxesToStart() async -> [(String, MailboxSettings)] {
        guard let channels = try? await store.organization.channels() else { return [] }
        var wanted: [String: MailboxSettings] = [:]
        for channel in channels where channel.kind == .email {
            if case .success(let settings?) = MailboxSettings.read(channel.settings), !settings.password.isEmpty {
                wanted[channel.id] = settings
            }
        }
        let start = wanted.filter { running[$0.key] != $0.value }
        running = running.filter { wanted[$0.key] == $0.value }
        for (id, settings) in start { running[id] = settings }
        return start.map { ($0.key, $0.value) }
    }

    private func isCurrent(_ channelID: String, _ settings: MailboxSettings) -> Bool {
        running[channelID] == settings
    }

    /// Fetches one mailbox until its settings change: connect, log in, catch up, wait for news,
    /// again; after a failure, again after a pause that grows to a minute.
    private func fetch(_ channelID: String, _ settings: MailboxSettings) async {
        var pause = Duration.seconds(2)
        let leaseName = "imap:\(channelID)"
        while !Task.isCancelled, isCurrent(channelID, settings) {
            do {
                guard try await reader.claim(leaseName) else {
                    try await clock.sleep(for: .seconds(5))
                    continue
                }
                try await reader.session(channelID, settings, leaseName: leaseName) { await self.isCurrent(channelID, settings) }
                pause = .seconds(2)
            } catch is CancellationError {
                break
            } catch {
                // Shutting down closes the connection under the fetch: that is no failure.
                if Task.isCancelled { break }
                logger.warning("mailbox fetch failed", metadata: ["channel": "\(channelID)", "host": "\(settings.host)", "error": "\(error)"])
                let text = Self.describe(error)
                try? await store.write { tx in try await self.mail.recordMailboxError(of: channelID, text, in: tx) }
                try? await clock.sleep(for: pause)
                pause = min(pause * 2, .seconds(60))
            }
        }
        // Given up even when shutting down (a cancelled task could not write), so the next node
        // or the next start takes the mailbox at once.
        let owner = node, store = self.store
        await Task {
            try? await store.write { tx in try await store.events.releaseConsumerLease(leaseName, owner: owner, in: tx) }
        }.value
    }
}

/// The reading of one mailbox, apart from the fetcher's bookkeeping: a connection's session and
/// the storing of what it fetches.
struct MailboxReader: Sendable {
    let store: Store
    let mail: any MailStore
    let normalizer: IdentityNormalizer
    let attachmentMaxBytes: Int
    let maxMessageBytes: Int
    let logger: Logger
    let clock: any Clock<Duration>
    let tls: NIOSSLContext
    let node: String

    /// Messages fetched and stored together.
    static let batch = 20
    /// How long one node holds a mailbox before another may take it: renewed at least every
    /// `renewal`, so a node that died is replaced within half a minute.
    static let lease = Duration.seconds(30)
    static let renewal = Duration.seconds(10)

    /// Takes or renews the mailbox's lease for this node; false while another node holds it.
    func claim(_ leaseName: String) async throws -> Bool {
        let owner = node, until = Timestamp.now().adding(Self.lease), events = store.events
        return try await store.write { tx in try await events.claimConsumerLease(leaseName, owner: owner, until: until, in: tx) }
    }

    /// One connection: catch up, then wait for news and catch up again, renewing the lease.
    func session(_ channelID: String, _ settings: MailboxSettings, leaseName: String, isCurrent: @Sendable () async -> Bool) async throws {
        let session = try await IMAPSession.open(settings, tls: tls, timeout: .seconds(60), maxMessageBytes: maxMessageBytes)
        do {
            let mailbox = try await session.select(settings.mailbox)
            logger.info("mailbox open", metadata: ["channel": "\(channelID)", "host": "\(settings.host)", "mailbox": "\(settings.mailbox)",
                                                   "idle": "\(session.capabilities.contains("IDLE"))"])
            // Catch up, then wait for news in short turns (renewing the lease between them): at
            // once when IDLE says something arrived, else every poll_seconds.
            var lastLook = ContinuousClock.now
            try await catchUp(channelID, session: session, mailbox: mailbox)
            while !Task.isCancelled, await isCurrent() {
                guard try await claim(leaseName) else { break }
                let news = try await session.waitForNews(Self.renewal, clock: clock)
                if news || ContinuousClock.now - lastLook >= .seconds(Int64(settings.pollSeconds)) {
                    try await catchUp(channelID, session: session, mailbox: mailbox)
                    lastLook = ContinuousClock.now
                }
            }
        } catch {
            await session.logout()
            throw error
        }
        await session.logout()
    }

    /// Stores every message after the saved position, a batch at a time, each batch with the
    /// position it reaches.
    func catchUp(_ channelID: String, session: IMAPSession, mailbox: IMAPSession.Mailbox) async throws {
        let position = try await mail.mailboxPosition(of: channelID)
        let uids: [UInt32]
        if let position, position.uidValidity == mailbox.uidValidity {
            uids = try await session.uids(after: position.lastUID)
        } else {
            uids = try await session.untakenUIDs(keepsKeywords: mailbox.keepsKeywords)
        }
        var last = position?.uidValidity == mailbox.uidValidity ? position?.lastUID ?? 0 : 0
        for start in stride(from: 0, to: uids.count, by: Self.batch) {
            let chunk = Array(uids[start..<min(start + Self.batch, uids.count)])
            let fetched = try await session.fetch(chunk)
            let channel = try await store.organization.channel(channelID)
            let address = channel?.settings["address"]?.stringValue
            let received = fetched.map { item -> ReceivedMail in
                let message = MailParser().parse(item.message)
                let returnPath = MessageIDs.first(message.headers["Return-Path"]).flatMap { $0.isEmpty ? nil : $0 }
                // Analysed for routing here, before the write, rather than on the writer.
                return mail.preparedForRouting(ReceivedMail(channelID: channelID, raw: item.message, message: message, envelopeFrom: returnPath,
                                                            envelopeTo: address.map { [$0] } ?? [], attachmentLimit: attachmentMaxBytes,
                                                            normalizer: normalizer))
            }
            var prefetch = WritePrefetch()
            for item in received {
                prefetch.identities += item.prefetch.identities
                prefetch.interactions += item.prefetch.interactions
            }
            last = max(last, chunk.max() ?? last)
            let reached = last, validity = mailbox.uidValidity, count = received.count
            try await store.write(prefetch: prefetch) { tx in
                for item in received { _ = try await mail.receive(item, in: tx) }
                try await mail.saveMailboxPosition(of: channelID, uidValidity: validity, lastUID: reached, added: count, in: tx)
            }
            if mailbox.keepsKeywords { try? await session.markTaken(chunk) }
            logger.debug("mail fetched", metadata: ["channel": "\(channelID)", "messages": "\(count)", "last_uid": "\(reached)"])
        }
        // Starting on a mailbox (or a rebuilt one): what was flagged as taken stays behind, and
        // reading goes on after the newest message there was.
        let fresh = position == nil || position?.uidValidity != mailbox.uidValidity
        let newest = mailbox.uidNext > 0 ? mailbox.uidNext - 1 : 0
        if fresh, uids.isEmpty || last < newest {
            let validity = mailbox.uidValidity, reached = max(last, newest)
            try await store.write { tx in try await mail.saveMailboxPosition(of: channelID, uidValidity: validity, lastUID: reached, added: 0, in: tx) }
        }
    }
}
