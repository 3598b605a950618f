import Foundation
import Hummingbird
import NIOHTTP1
import RapportCore

/// The checks RFC 6455 4.2.1 asks of an opening handshake, made before NIO's upgrader sees the
/// request: the upgrader closes the connection without an answer when the key is missing and waits
/// for ever on another version, and it upgrades without the `Upgrade` token in `Connection`.
/// A malformed handshake is 400 naming the header; a version other than 13 is 426 (RFC 6455 4.4).
enum WebSocketHandshake {
    /// Whether `head` asks for a WebSocket (a GET whose `Upgrade` names `websocket`): such a
    /// request goes to the upgrader.
    static func isAttempt(_ head: HTTPRequestHead) -> Bool {
        head.method == .GET && head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
    }

    /// The problem a handshake is answered with instead of 101, or nil when its headers are well-formed.
    static func refusal(of head: HTTPRequestHead) -> Problem? {
        guard head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "upgrade" }) else {
            return .badRequest(field: "Connection", "must include the token Upgrade for a WebSocket handshake (RFC 6455 4.2.1)")
        }
        let versions = head.headers["Sec-WebSocket-Version"]
        guard versions.count == 1 else {
            return .badRequest(field: "Sec-WebSocket-Version", "must be given once (13) for a WebSocket handshake (RFC 6455 4.2.1)")
        }
        guard versions[0].trimmingCharacters(in: .whitespaces) == "13" else {
            return upgradeRequired(field: "Sec-WebSocket-Version", "must be 13, the version this server speaks")
        }
        if head.headers["Transfer-Encoding"].isEmpty == false || head.headers["Content-Length"].contains(where: { $0 != "0" }) {
            return .badRequest(field: "body", "a WebSocket handshake has no body")
        }
        let keys = head.headers["Sec-WebSocket-Key"]
        guard keys.count == 1, let key = Data(base64Encoded: keys[0].trimmingCharacters(in: .whitespaces)), key.count == 16 else {
            return .badRequest(field: "Sec-WebSocket-Key", "must be given once, as the base64 of 16 random bytes (RFC 6455 4.2.1)")
        }
        return nil
    }

    /// Whether a request that is no handshake (no `Upgrade: websocket`) still carries handshake
    /// headers: a handshake missing its `Upgrade` header, 400 rather than the 426 of a plain GET.
    static func isIncomplete(_ headers: HTTPFields) -> Bool {
        headers[.secWebSocketKey] != nil || headers[.secWebSocketVersion] != nil
            || headers[values: .connection].contains { $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" } }
    }

    private static func upgradeRequired(field: String, _ message: String) -> Problem {
        Problem(status: .init(code: 426, reasonPhrase: "Upgrade Required"), type: "upgrade-required", title: "Upgrade required",
                detail: "\(field): \(message)", issues: [FieldIssue(field: field, message: message)],
                headers: [.upgrade: "websocket", .secWebSocketVersion: "13"])
    }
}
