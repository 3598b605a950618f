import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let requestID = Self("X-Request-ID")!
    static let lastEventID = Self("Last-Event-ID")!
}

extension Response {
    /// A JSON response with the given status and extra headers.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        bytes(value.serialized(), status: status, contentType: "application/json", headers: headers)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status, contentType: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{ "data": [...], "next_cursor": ... }`, the shape of every list.
    static func page<Item>(_ page: Page<Item>, _ render: (Item) -> JSONValue) -> Response {
        json(["data": .array(page.items.map(render)), "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }
}
