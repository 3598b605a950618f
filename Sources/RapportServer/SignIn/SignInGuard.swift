import RapportCore
import Synchronization

/// The sign-in throttles of this process: per account and per client address.
///
/// Kept in memory: on a cluster each node counts its own failures, so an attacker spreading
/// guesses over N nodes gets N times the budget before the lockouts start.
final class SignInGuard: Sendable {
    private let accounts = Mutex(SignInThrottle(policy: .perAccount))
    private let addresses = Mutex(SignInThrottle(policy: .perAddress))

    /// Seconds to wait before this email or address may try again, or nil.
    func retryAfter(email: String, address: String?, at now: Timestamp) -> Int64? {
        let account = accounts.withLock { $0.retryAfter(email, at: now) }
        let client = address.flatMap { address in addresses.withLock { $0.retryAfter(address, at: now) } }
        switch (account, client) {
        case let (a?, c?): return max(a, c)
        case let (a, c): return a ?? c
        }
    }

    func failed(email: String, address: String?, at now: Timestamp) {
        accounts.withLock { $0.recordFailure(email, at: now) }
        if let address { addresses.withLock { $0.recordFailure(address, at: now) } }
    }

    func succeeded(email: String) {
        accounts.withLock { $0.recordSuccess(email) }
    }
}
