import RapportCore

/// API keys and idempotent replies: who may call, and what a retried request already got.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol AccessStore: Sendable {
    func issueAPIKey(_ request: APIKeyRequest, actor: Actor, in tx: WriteTransaction) async throws -> IssuedAPIKey

    func revokeAPIKey(id: String, actor: Actor, in tx: WriteTransaction) async throws -> APIKey

    func apiKeys() async throws -> [APIKey]

    /// The active key whose secret this is, or nil.
    func authenticate(secret: String) async throws -> APIKey?

    /// Whether any admin key exists that is not revoked (first start creates one when not).
    func hasActiveAdminKey() async throws -> Bool

    /// The response stored for this claim, if the same request ran before; 422 if the key was used for another.
    func replay(_ claim: IdempotencyClaim, in tx: WriteTransaction) async throws -> StoredResponse?

    func remember(_ response: StoredResponse, for claim: IdempotencyClaim, in tx: WriteTransaction) async throws

    /// Looks a claim up outside the writer, so retries of finished requests cost no write.
    func replay(_ claim: IdempotencyClaim) async throws -> StoredResponse?
}

/// The SQL implementation of `AccessStore`, on SQLite or PostgreSQL.
public struct SQLAccessStore: AccessStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
