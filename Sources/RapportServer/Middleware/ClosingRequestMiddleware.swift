import Hummingbird
import NIOCore
import RapportCore

/// Reads the whole body of a request that asks to close the connection (`Connection: close`)
/// before the route answers it.
///
/// Hummingbird drains an unread body between requests on a kept-alive connection, but after
/// answering a request that closes the connection it only waits for the peer to close. A client
/// still sending a body the route refused (413, 401, 415…) then blocks on a full socket until its
/// own timeout. Read first, answer, then the connection closes as asked.
struct ClosingRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest body the route of a path accepts (larger for classifier training, replies with
    /// files and imports' files). A larger body is read to its end, not kept, and refused; the route
    /// itself holds each to its own limit.
    let limit: @Sendable (String) -> Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.connection]?.lowercased() == "close" else { return try await next(request, context) }
        let limit = self.limit(request.uri.path)
        var buffer = ByteBuffer()
        var tooLarge = false
        for try await chunk in request.body {
            if tooLarge { continue }
            if buffer.readableBytes + chunk.readableBytes > limit {
                tooLarge = true
                buffer = ByteBuffer()
            } else {
                buffer.writeImmutableBuffer(chunk)
            }
        }
        if tooLarge {
            throw Problem(status: .contentTooLarge, type: "body-too-large", title: "Request body too large",
                          detail: "the body exceeds \(limit) bytes",
                          issues: [FieldIssue(field: "body", message: "must be at most \(limit) bytes")])
        }
        var read = request
        read.body = RequestBody(buffer: buffer)
        return try await next(read, context)
    }
}
