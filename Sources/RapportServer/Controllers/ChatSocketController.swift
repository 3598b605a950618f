import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import RapportCore
import RapportStore

/// `GET /chat/{channel_id}/socket`: the web chat widget's WebSocket. No API key: a visitor is
/// anyone on a page the channel allows (`settings.widget.allowed_origins`, checked against the
/// handshake's `Origin`); what the site says of a signed-in user is believed only with its
/// `user_hash` (HMAC-SHA256 of the user id with the channel's identity secret, in hex).
struct ChatSocketController: Sendable {
    let organization: any OrganizationStore
    let chat: any ChatStore
    let hub: ChatHub
    let writer: any TransactionWriter
    let normalizer: IdentityNormalizer

    /// Whether a handshake is the chat's (the other WebSocket is the event stream's).
    static func handles(_ path: String) -> Bool { path.hasPrefix("/chat/") }

    func decide(_ head: HTTPRequest, logger: Logger) async -> Result<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>, HandshakeRefusal> {
        let request = Request(head: head, body: .init(buffer: ByteBuffer()))
        let path = request.uri.path
        do {
            let parts = path.split(separator: "/")
            guard parts.count == 3, parts[0] == "chat", parts[2] == "socket" else {
                throw Problem(status: .notFound, type: "not-found", title: "Not found", detail: "no WebSocket at \(path)")
            }
            guard request.method == .get else {
                throw Problem(status: .methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                              detail: "a WebSocket handshake is a GET", headers: [.allow: "GET"])
            }
            guard let channel = try await organization.channel(String(parts[1])), channel.kind == .chat else {
                throw Problem(status: .notFound, type: "not-found", title: "Not found", detail: "no chat channel \(parts[1])")
            }
            let settings = ChatChannelSettings.of(channel)
            guard settings.allows(origin: request.headers[.origin]) else {
                throw Problem(status: .forbidden, type: "origin-not-allowed", title: "Origin not allowed",
                              detail: "this chat channel takes visitors from its allowed_origins only")
            }
            let secret = settings.identitySecret
            let session = ChatSocketSession(channel: channel, chat: chat, hub: hub, writer: writer, normalizer: normalizer,
                                            vouches: { userID, hash in secret.map { Self.vouches(userID: userID, hash: hash, secret: $0) } ?? false },
                                            logger: logger)
            return .success { inbound, outbound, _ in try await session.run(inbound: inbound, outbound: outbound) }
        } catch let problem as Problem {
            return .failure(HandshakeRefusal(problem: problem, path: path))
        } catch {
            logger.error("chat handshake failed", metadata: ["error": "\(String(reflecting: error))"])
            return .failure(HandshakeRefusal(problem: Problem(status: .serviceUnavailable, type: "unavailable", title: "Unavailable",
                                                              detail: "the chat could not be opened; try again"), path: path))
        }
    }

    /// `hash` is the hex HMAC-SHA256 of `userID` with `secret` (compared in constant time).
    static func vouches(userID: String, hash: String, secret: String) -> Bool {
        let bytes = stride(from: 0, to: hash.count, by: 2).compactMap { offset -> UInt8? in
            let start = hash.index(hash.startIndex, offsetBy: offset)
            guard let end = hash.index(start, offsetBy: 2, limitedBy: hash.endIndex) else { return nil }
            return UInt8(hash[start..<end], radix: 16)
        }
        guard bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array(userID.utf8), using: SymmetricKey(data: Array(secret.utf8)))
    }
}
