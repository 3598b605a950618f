import NIOCore
import RapportCore
import SQLKit

/// A response kept for an `Idempotency-Key`, replayed byte for byte on a retry.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    public var etag: String?
    public var location: String?

    public init(status: Int, body: [UInt8], etag: String? = nil, location: String? = nil) {
        self.status = status
        self.body = body
        self.etag = etag
        self.location = location
    }
}

/// The client's key for one request, scoped to the caller, with a hash of what was asked.
public struct IdempotencyClaim: Sendable, Equatable {
    public var principal: String
    public var key: String
    public var requestHash: String

    public init(principal: String, key: String, requestHash: String) {
        self.principal = principal
        self.key = key
        self.requestHash = requestHash
    }
}

extension SQLAccessStore {
    /// The response stored for this claim, if the same request ran before; 422 if the key was used for another.
    public func replay(_ claim: IdempotencyClaim, in tx: WriteTransaction) async throws -> StoredResponse? {
        try await IdempotencyRows.find(claim, on: tx.database)
    }

    public func remember(_ response: StoredResponse, for claim: IdempotencyClaim, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO idempotency_keys (principal, key, request_hash, status, etag, location, body, created_at)
            VALUES (\(bind: claim.principal), \(bind: claim.key), \(bind: claim.requestHash), \(bind: response.status),
                    \(bind: response.etag), \(bind: response.location), \(bind: ByteBuffer(bytes: response.body)), \(bind: tx.now().microseconds))
            """)
    }
}

extension SQLAccessStore {
    /// Looks a claim up outside the writer, so retries of finished requests cost no write.
    public func replay(_ claim: IdempotencyClaim) async throws -> StoredResponse? {
        try await read { try await IdempotencyRows.find(claim, on: $0) }
    }
}

enum IdempotencyRows {
    static func find(_ claim: IdempotencyClaim, on database: any SQLDatabase) async throws -> StoredResponse? {
        guard let row = try await database.raw("""
            SELECT request_hash, status, etag, location, body FROM idempotency_keys
            WHERE principal = \(bind: claim.principal) AND key = \(bind: claim.key)
            """).first() else { return nil }
        guard try row.string("request_hash") == claim.requestHash else {
            throw StoreError(.idempotencyMismatch, "Idempotency-Key \"\(claim.key)\" was already used for a different request",
                             field: "Idempotency-Key")
        }
        return StoredResponse(status: Int(try row.int64("status")), body: Array(try row.decode(column: "body", as: ByteBuffer.self).readableBytesView),
                              etag: try row.optionalString("etag"), location: try row.optionalString("location"))
    }
}
