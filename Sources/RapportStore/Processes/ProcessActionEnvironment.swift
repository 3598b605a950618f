import RapportCore
import Synchronization

/// What Rapport's own service task actions need from the server that runs them: how identities
/// in record fields are normalized (the default phone region), the host name in the Message-IDs
/// of the email they send, the URL customers reach the server at. Set once at start; until then
/// the defaults hold.
final class ProcessActionEnvironment: Sendable {
    private let normalizer: Mutex<IdentityNormalizer?> = Mutex(nil)
    private let hostname = Mutex("rapport.localhost")
    private let url: Mutex<String?> = Mutex(nil)

    func configure(normalizer: IdentityNormalizer, mailHostname: String, publicURL: String?) {
        self.normalizer.withLock { $0 = normalizer }
        hostname.withLock { $0 = mailHostname }
        url.withLock { $0 = publicURL }
    }

    var mailHostname: String { hostname.withLock { $0 } }

    /// The URL customers reach the server at (`--public-url`), without a trailing slash; nil: none.
    var publicURL: String? { url.withLock { $0 } }

    /// The server's normalizer, else one for the default region.
    var identityNormalizer: IdentityNormalizer {
        get throws {
            if let configured = normalizer.withLock({ $0 }) { return configured }
            return try IdentityNormalizer()
        }
    }
}

extension Store {
    /// Tells process actions how the server normalizes identities (its default phone region),
    /// the host name its mail's Message-IDs end in, and the URL customers reach it at (for
    /// unsubscribe links; nil: none).
    public func configureProcessActions(normalizer: IdentityNormalizer, mailHostname: String, publicURL: String? = nil) {
        processActionEnvironment.configure(normalizer: normalizer, mailHostname: mailHostname, publicURL: publicURL)
    }
}
