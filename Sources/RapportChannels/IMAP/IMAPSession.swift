import Foundation
import NIOCore
import NIOSSL
import RapportCore

/// Why a mailbox could not be read.
struct IMAPError: Error, CustomStringConvertible {
    var description: String
}

/// A logged-in IMAP4rev1 session (RFC 3501) with the commands the fetcher uses: select a
/// mailbox, search and fetch by UID (`BODY.PEEK[]`, so nothing is marked read by the fetch
/// itself), flag what was taken, and wait for news with IDLE (RFC 2177).
final class IMAPSession {
    typealias Connection = ClientConnection<IMAPResponse>

    let connection: Connection
    private(set) var capabilities: Set<String> = []
    private var tagNumber = 0

    /// The keyword that marks a message as taken by Rapport, where the mailbox keeps keywords.
    static let fetchedKeyword = "$RapportFetched"

    private init(connection: Connection) {
        self.connection = connection
    }

    /// What a selected mailbox says of itself.
    struct Mailbox {
        var uidValidity: UInt32
        /// The UID the next message will get (0 when the server did not say).
        var uidNext: UInt32
        var exists: Int
        /// Whether new keywords may be stored (`\*` in PERMANENTFLAGS).
        var keepsKeywords: Bool
    }

    /// Connects, secures the connection as `settings` ask, and logs in.
    static func open(_ settings: MailboxSettings, tls: NIOSSLContext?, timeout: Duration, maxMessageBytes: Int) async throws -> IMAPSession {
        let connection = try await Connection.connect(host: settings.host, port: settings.port,
                                                      implicitTLS: settings.security == .tls ? tls : nil, timeout: timeout,
                                                      decoder: IMAPResponseDecoder(maxLiteralLength: maxMessageBytes))
        let session = IMAPSession(connection: connection)
        do {
            try await session.start(settings, tls: tls)
            return session
        } catch {
            await connection.close()
            throw error
        }
    }

    private func start(_ settings: MailboxSettings, tls: NIOSSLContext?) async throws {
        let greeting = try await connection.command(nil)
        let upper = greeting.line.uppercased()
        guard upper.hasPrefix("* OK") || upper.hasPrefix("* PREAUTH") else { throw IMAPError(description: "greeting: \(greeting.line)") }
        capabilities = greeting.capabilities ?? []
        if capabilities.isEmpty { try await refreshCapabilities() }
        if settings.security == .starttls {
            guard capabilities.contains("STARTTLS"), let tls else { throw IMAPError(description: "the server does not offer STARTTLS") }
            _ = try await ok("STARTTLS")
            try await connection.startTLS(tls, serverHostname: SMTPClientConnection.serverName(settings.host))
            try await refreshCapabilities()
        }
        if upper.hasPrefix("* PREAUTH") { return }
        let loopback = ["localhost", "127.0.0.1", "::1"].contains(settings.host.lowercased())
        guard settings.security != .none || loopback else {
            throw IMAPError(description: "refusing to send the password without TLS; use imaps:// or imap+starttls://")
        }
        if capabilities.contains("AUTH=PLAIN") {
            let token = Data([0] + Array(settings.username.utf8) + [0] + Array(settings.password.utf8)).base64EncodedString()
            if capabilities.contains("SASL-IR") {
                _ = try await ok("AUTHENTICATE PLAIN \(token)", what: "login")
            } else {
                tagNumber += 1
                let tag = "R\(tagNumber)"
                let prompt = try await connection.command("\(tag) AUTHENTICATE PLAIN")
                guard prompt.kind == .continuation else { throw IMAPError(description: "login: \(prompt.line)") }
                let done = try await collect(tag: tag, first: try await connection.command(token))
                guard done.status == "OK" else { throw IMAPError(description: "login: \(done.line)") }
            }
        } else if !capabilities.contains("LOGINDISABLED") {
            _ = try await ok("LOGIN \(try Self.quoted(settings.username)) \(try Self.quoted(settings.password))", what: "login")
        } else {
            throw IMAPError(description: "the server offers no login Rapport can use (AUTH=PLAIN or LOGIN)")
        }
        try await refreshCapabilities()
    }

    private func refreshCapabilities() async throws {
        for response in try await ok("CAPABILITY") {
            if let listed = response.capabilities { capabilities = listed }
        }
    }

    /// Runs `command` and returns its untagged responses; a `NO` or `BAD` ends it with an error.
    func ok(_ command: String, what: String? = nil) async throws -> [IMAPResponse] {
        tagNumber += 1
        let tag = "R\(tagNumber)"
        let done = try await collect(tag: tag, first: try await connection.command("\(tag) \(command)"))
        guard done.status == "OK" else {
            throw IMAPError(description: "\(what ?? String(command.prefix(40))): \(done.line)")
        }
        return done.untagged
    }

    /// Reads responses from `first` until the one tagged `tag`.
    private func collect(tag: String, first: IMAPResponse) async throws -> (status: String, line: String, untagged: [IMAPResponse]) {
        var untagged: [IMAPResponse] = []
        var response = first
        while true {
            if case .tagged(let found, let status) = response.kind, found == tag { return (status, response.line, untagged) }
            if response.kind == .continuation { throw IMAPError(description: "unexpected continuation: \(response.line)") }
            untagged.append(response)
            response = try await connection.command(nil)
        }
    }

    func select(_ mailbox: String) async throws -> Mailbox {
        var selected = Mailbox(uidValidity: 0, uidNext: 0, exists: 0, keepsKeywords: false)
        for response in try await ok("SELECT \(try Self.quoted(mailbox))", what: "select \(mailbox)") {
            if let validity = response.codeNumber("UIDVALIDITY") { selected.uidValidity = validity }
            if let next = response.codeNumber("UIDNEXT") { selected.uidNext = next }
            if let exists = response.exists { selected.exists = exists }
            if let code = response.responseCode, code.uppercased().hasPrefix("PERMANENTFLAGS") { selected.keepsKeywords = code.contains("\\*") }
        }
        return selected
    }

    /// The UIDs above `uid`, ascending.
    func uids(after uid: UInt32) async throws -> [UInt32] {
        // `n:*` names the newest message even when its UID is below n: keep only the new ones.
        let found = try await ok("UID SEARCH UID \(uid &+ 1):*").flatMap { $0.searchResults ?? [] }
        return found.filter { $0 > uid }.sorted()
    }

    /// The UIDs not yet marked as taken (or every one, where the mailbox keeps no keywords).
    func untakenUIDs(keepsKeywords: Bool) async throws -> [UInt32] {
        let criteria = keepsKeywords ? "UNKEYWORD \(Self.fetchedKeyword)" : "ALL"
        return try await ok("UID SEARCH \(criteria)").flatMap { $0.searchResults ?? [] }.sorted()
    }

    /// The whole messages with these UIDs.
    func fetch(_ uids: [UInt32]) async throws -> [(uid: UInt32, message: [UInt8])] {
        guard !uids.isEmpty else { return [] }
        return try await ok("UID FETCH \(uids.map(String.init).joined(separator: ",")) (UID BODY.PEEK[])").compactMap { response in
            guard let fetched = response.fetched, let message = fetched.message else { return nil }
            return (fetched.uid, message)
        }.sorted { $0.uid < $1.uid }
    }

    /// Marks the messages as taken, for people and programs sharing the mailbox.
    func markTaken(_ uids: [UInt32]) async throws {
        guard !uids.isEmpty else { return }
        _ = try await ok("UID STORE \(uids.map(String.init).joined(separator: ",")) +FLAGS.SILENT (\(Self.fetchedKeyword))")
    }

    /// Waits up to `wait` for the mailbox to change: IDLE where the server has it, else a NOOP
    /// after the wait. Returns whether something arrived (a new EXISTS).
    func waitForNews(_ wait: Duration, clock: any Clock<Duration>) async throws -> Bool {
        guard capabilities.contains("IDLE") else {
            try await clock.sleep(for: wait)
            return try await ok("NOOP").contains { $0.exists != nil }
        }
        tagNumber += 1
        let tag = "R\(tagNumber)"
        let first = try await connection.command("\(tag) IDLE")
        guard first.kind == .continuation else {
            _ = try await collect(tag: tag, first: first)
            try await clock.sleep(for: wait)
            return true
        }
        var news = false
        let deadline = ContinuousClock.now + wait
        while !news, ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            guard let response = try await connection.next(within: .nanoseconds(max(1, left.nanoseconds))) else { break }
            if response.exists != nil || response.line.uppercased().hasSuffix(" RECENT") { news = true }
        }
        let done = try await collect(tag: tag, first: try await connection.command("DONE"))
        guard done.status == "OK" else { throw IMAPError(description: "idle: \(done.line)") }
        return news || done.untagged.contains { $0.exists != nil }
    }

    func logout() async {
        _ = try? await ok("LOGOUT")
        await connection.close()
    }

    /// An IMAP quoted string; text with line breaks or non-ASCII characters cannot be one.
    static func quoted(_ text: String) throws -> String {
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "\r" && $0 != "\n" && $0 != "\0" }) else {
            throw IMAPError(description: "\"\(text.prefix(20))\" cannot be sent as an IMAP string (line breaks or non-ASCII)")
        }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
