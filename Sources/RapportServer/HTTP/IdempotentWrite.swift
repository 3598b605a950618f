import Crypto
import Hummingbird
import RapportCore
import RapportStore

extension Services {
    /// Runs a write whose response is kept under the request's `Idempotency-Key`, if it has one.
    ///
    /// The same key and body replay the first response (with `Idempotent-Replayed: true`); the same
    /// key with another body is 422. The response is stored in the transaction that made the change,
    /// so a retry after a crash either replays it or runs the change for the first time.
    func idempotentWrite(
        _ request: Request, context: RapportRequestContext, body: [UInt8], prefetch: WritePrefetch = .nothing,
        _ work: @escaping @Sendable (WriteTransaction) async throws -> StoredResponse
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey] else {
            return Self.response(try await writer.write(prefetch: prefetch, work), replayed: false)
        }
        guard !key.isEmpty, key.utf8.count <= 255, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw Problem.badRequest(field: "Idempotency-Key", "must be 1 to 255 visible ASCII characters")
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let claim = IdempotencyClaim(principal: try context.requirePrincipal().keyID, key: key, requestHash: hash)
        if let stored = try await access.replay(claim) {
            return Self.response(stored, replayed: true)
        }
        let (stored, replayed) = try await writer.write(prefetch: prefetch) { [access] tx in
            if let stored = try await access.replay(claim, in: tx) { return (stored, true) }
            let response = try await work(tx)
            try await access.remember(response, for: claim, in: tx)
            return (response, false)
        }
        return Self.response(stored, replayed: replayed)
    }

    static func response(_ stored: StoredResponse, replayed: Bool) -> Response {
        var headers: HTTPFields = [:]
        if let etag = stored.etag { headers[.eTag] = etag }
        if let location = stored.location { headers[.location] = location }
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response.bytes(stored.body, status: HTTPResponse.Status(code: stored.status), contentType: "application/json",
                              headers: headers)
    }
}
