import RapportCore
import Synchronization

/// What Rapport's own service task actions need from the server that runs them: how identities
/// in record fields are normalized (the default phone region). Set once at start; until then the
/// defaults hold.
final class ProcessActionEnvironment: Sendable {
    private let normalizer: Mutex<IdentityNormalizer?> = Mutex(nil)

    func configure(normalizer: IdentityNormalizer) {
        self.normalizer.withLock { $0 = normalizer }
    }

    /// The server's normalizer, else one for the default region.
    var identityNormalizer: IdentityNormalizer {
        get throws {
            if let configured = normalizer.withLock({ $0 }) { return configured }
            return try IdentityNormalizer()
        }
    }
}

extension Store {
    /// Tells process actions how the server normalizes identities (its default phone region).
    public func configureProcessActions(normalizer: IdentityNormalizer) {
        processActionEnvironment.configure(normalizer: normalizer)
    }
}
