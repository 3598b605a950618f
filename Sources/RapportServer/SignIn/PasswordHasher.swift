import HummingbirdBcrypt
import NIOPosix
import RapportStore

/// bcrypt, run on NIO's thread pool: a hash takes a noticeable fraction of a second by design
/// and must not hold an event loop or the concurrency pool.
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A hash of no one's password, checked against when the email is unknown, so that an
    /// unknown address takes as long to refuse as a wrong password.
    let decoy: String

    init(cost: Int) {
        self.cost = UInt8(clamping: cost)
        decoy = Bcrypt.hash(APIKeySecret.generate(prefix: ""), cost: UInt8(clamping: cost))
    }

    func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let decoy = decoy
        return try await NIOThreadPool.singleton.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? decoy)
            return matches && hash != nil
        }
    }
}
