import Foundation
import Hummingbird
import NIOCore
import RapportCore

extension Request {
    /// The body as bytes, refusing bodies over `limit` and media types other than JSON.
    func bodyBytes(limit: Int) async throws -> [UInt8] {
        if let type = headers[.contentType]?.lowercased() {
            let media = type.split(separator: ";").first.map { String($0.trimmingHTTPSpace()) } ?? ""
            guard media == "application/json" || media == "application/merge-patch+json" || media.hasSuffix("+json") else {
                throw Problem(status: .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type",
                              detail: "send the body as application/json",
                              issues: [FieldIssue(field: "Content-Type", message: "must be application/json, not \(media)")])
            }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, type: "body-too-large", title: "Request body too large",
                          detail: "the body exceeds \(limit) bytes",
                          issues: [FieldIssue(field: "body", message: "must be at most \(limit) bytes")])
        }
        return Array(buffer.readableBytesView)
    }

    /// The body parsed as JSON; 400 naming the byte offset when it is not.
    func jsonBody(limit: Int) async throws -> (value: JSONValue, bytes: [UInt8]) {
        let (value, bytes) = try await optionalJSONBody(limit: limit)
        guard let value else { throw Problem.badRequest(field: "body", "a JSON body is required") }
        return (value, bytes)
    }

    /// The body parsed as JSON when there is one; nil for an empty body.
    func optionalJSONBody(limit: Int) async throws -> (value: JSONValue?, bytes: [UInt8]) {
        let bytes = try await bodyBytes(limit: limit)
        guard !bytes.isEmpty else { return (nil, bytes) }
        do {
            return (try JSONParser.parse(bytes), bytes)
        } catch {
            throw Problem(status: .badRequest, type: "malformed-json", title: "Malformed JSON", detail: error.description,
                          issues: [FieldIssue(field: "body", message: error.description)])
        }
    }

    /// A query parameter, trimmed; nil when absent. Given empty or more than once, it is refused
    /// (400 naming it): an empty value is no enum value, time, id or cursor, and a second copy
    /// would be silently ignored.
    func query(_ name: String) throws -> String? {
        let values = queryItems.filter { $0.name == name }
        guard let value = values.first?.value else { return nil }
        guard values.count == 1 else { throw Problem.badRequest(field: name, "may be given once") }
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { throw Problem.badRequest(field: name, "must not be empty") }
        return text
    }

    /// The query's parameters in order, decoded as HTML forms and URL libraries encode them:
    /// `+` is a space and `%XX` a byte (so a literal plus, as in `+44…`, is sent as `%2B`).
    var queryItems: [(name: String, value: String)] {
        guard let query = uri.query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.formDecoded(parts[0]), parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        }
    }

    private static func formDecoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// `limit` within 1...max, default `defaultValue`.
    func limit(default defaultValue: Int = 50, max: Int = 500) throws -> Int {
        guard let text = try query("limit") else { return defaultValue }
        guard let value = Int(text), value >= 1, value <= max else {
            throw Problem.badRequest(field: "limit", "must be an integer from 1 to \(max)")
        }
        return value
    }

    /// The version named by `If-Match` for the record `id`; nil when absent or `*`.
    func expectedVersion(of id: String) throws -> Int64? {
        guard let header = headers[.ifMatch]?.trimmingWhitespace() else { return nil }
        guard !header.isEmpty else { throw Problem.badRequest(field: "If-Match", "must name an entity tag or *") }
        guard header != "*" else { return nil }
        for tag in header.split(separator: ",") {
            let text = tag.trimmingHTTPSpace()
            // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches.
            guard !text.hasPrefix("W/"), text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else { continue }
            let inner = text.dropFirst().dropLast()
            guard let marker = inner.range(of: "-v", options: .backwards), inner[..<marker.lowerBound] == id,
                  let version = Int64(inner[marker.upperBound...]) else { continue }
            return version
        }
        // An ETag of another record or another format can never match the current version.
        return -1
    }
}
