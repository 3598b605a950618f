import RapportCore
import Synchronization

/// What Rapport's own service task actions need from the server that runs them: how identities
/// in record fields are normalized (the default phone region), the host name in the Message-IDs
/// of the email they send. Set once at start; until then the defaults hold.
final class ProcessActionEnvironment: Sendable {
    private let normalizer: Mutex<IdentityNormalizer?> = Mutex(nil)
    private let hostname = Mutex("rapport.localhost")

    func configure(normalizer: IdentityNormalizer, mailHostname: String) {
        self.normalizer.withLock { $0 = normalizer }
        hostname.withLock { $0 = mailHostname }
    }

    var mailHostname: String { hostname.withLock { $0 } }

    /// The server's normalizer, else one for the default region.
    var identityNormalizer: IdentityNormalizer {
        get throws {
            if let configured = normalizer.withLock({ $0 }) { return configured }
            return try IdentityNormalizer()
        }
    }
}

extension Store {
    /// Tells process actions how the server normalizes identities (its default phone region) and
    /// the host name its mail's Message-IDs end in.
    public func configureProcessActions(normalizer: IdentityNormalizer, mailHostname: String) {
        processActionEnvironment.configure(normalizer: normalizer, mailHostname: mailHostname)
    }
}
