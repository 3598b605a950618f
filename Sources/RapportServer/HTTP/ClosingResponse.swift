import Hummingbird
import NIOCore
import NIOHTTP1
import Synchronization

/// A whole problem response, sent below the router (which never saw the request) and followed
/// by closing the connection.
struct ClosingResponse: Sendable {
    var head: HTTPResponseHead
    var body: ByteBuffer

    init(_ problem: Problem, instance: String) {
        let requestID = RequestID().description
        let bytes = problem.json(instance: instance, requestID: requestID).serialized()
        var headers = HTTPHeaders()
        for field in problem.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        headers.replaceOrAdd(name: "X-Request-ID", value: requestID)
        head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: Int(problem.status.code)), headers: headers)
        body = ByteBuffer(bytes: bytes)
    }
}

/// What a refused WebSocket upgrade is to be answered with, handed from the upgrade decision
/// (which runs off the event loop) to the connection's `HTTPRequestGuard`.
final class UpgradeRefusal: Sendable {
    private let response = Mutex<ClosingResponse?>(nil)

    func set(_ refusal: ClosingResponse) { response.withLock { $0 = refusal } }

    func take() -> ClosingResponse? {
        response.withLock { current in
            defer { current = nil }
            return current
        }
    }
}
