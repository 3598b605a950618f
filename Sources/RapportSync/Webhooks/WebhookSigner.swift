import Crypto
import Foundation

/// Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
/// one entry per active secret (space-separated) so receivers keep verifying while a secret rotates.
public struct WebhookSigner: Sendable {
    /// Secrets in their `whsec_<base64>` form, newest first.
    public let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets
    }

    /// A new random secret: `whsec_` and 24 random bytes in base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The key bytes of a `whsec_…` secret; nil when it is not one.
    static func key(of secret: String) -> SymmetricKey? {
        guard secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst("whsec_".count))),
              !data.isEmpty else { return nil }
        return SymmetricKey(data: data)
    }

    /// The `webhook-signature` header value for one message.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return secrets.compactMap(Self.key(of:)).map { key in
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).base64EncodedString()
        }.joined(separator: " ")
    }
}

extension WebhookSigner {
    /// Whether `header` (a `webhook-signature` value: space-separated `v1,<base64>` entries)
    /// holds a signature of the message by one of the secrets, compared in constant time.
    public func verifies(header: String, id: String, timestamp: Int64, body: [UInt8]) -> Bool {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let given = header.split(separator: " ").compactMap { entry -> Data? in
            guard entry.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(entry.dropFirst(3)))
        }
        for key in secrets.compactMap(Self.key(of:)) {
            for signature in given where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: key) {
                return true
            }
        }
        return false
    }
}
