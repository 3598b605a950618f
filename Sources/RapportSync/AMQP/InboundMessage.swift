import Crypto
import RapportAMQP
import RapportCore

/// What an inbound AMQP message asks for, chosen by its `type` property.
///
/// The AMQP `type` property (not a field of the body) names the change, so the body stays exactly
/// the JSON the HTTP route takes and a system that already posts to `/v1` can publish the same bytes.
public enum InboundKind: String, Sendable, CaseIterable {
    /// The body of `POST /v1/interactions`; the default when `type` is absent or empty.
    case interaction
    /// The body of `POST /v1/customers`.
    case customer
    /// `{"customer_id": "...", "patch": {merge patch as for PATCH /v1/customers/{id}}}`.
    case customerPatch = "customer.patch"
}

/// A validated inbound message: its id, the change it asks for, and the hash that pins its content to the id.
public struct InboundMessage: Sendable, Equatable {
    /// The change, validated as the HTTP route validates it.
    public enum Change: Sendable, Equatable {
        case interaction(NewInteraction)
        case customer(NewCustomer)
        case customerPatch(customerID: String, patch: CustomerPatch)
    }

    /// The AMQP `message_id`: the idempotency key.
    public var messageID: String
    public var kind: InboundKind
    public var change: Change
    /// SHA-256 (hex) of the kind and the body: a message id reused with other content is refused.
    public var requestHash: String

    /// Longest accepted message id (the idempotency key column and the HTTP header share this limit).
    public static let maxMessageIDLength = 255

    /// Validates a delivery's properties and body; throws a rejection that says what is wrong and where.
    public static func read(properties: AMQPBasicProperties, body: [UInt8], normalizer: IdentityNormalizer) throws(InboundRejection) -> InboundMessage {
        guard let messageID = properties.messageID, !messageID.isEmpty else {
            throw InboundRejection(.missingMessageID, field: "message_id", "the message_id property is required (it is the idempotency key)")
        }
        guard messageID.utf8.count <= maxMessageIDLength,
              messageID.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw InboundRejection(.invalidMessageID, field: "message_id", "must be 1 to \(maxMessageIDLength) visible ASCII characters")
        }
        let typeName = properties.type ?? ""
        guard let kind = typeName.isEmpty ? .interaction : InboundKind(rawValue: typeName) else {
            let known = InboundKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw InboundRejection(.unknownType, field: "type", "unknown message type \"\(typeName)\"; use one of \(known)")
        }
        if let encoding = properties.contentEncoding, !encoding.isEmpty, encoding.lowercased() != "identity" {
            throw InboundRejection(.malformedBody, field: "content_encoding", "content encoding \"\(encoding)\" is not supported; send plain JSON")
        }
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONParser.parse(body)
        } catch {
            throw InboundRejection(.malformedBody, field: "body", error.description)
        }
        let change: Change
        do throws(ValidationFailure) {
            change = try readChange(kind, value, normalizer: normalizer)
        } catch {
            throw InboundRejection(code: .invalid, issues: error.issues)
        }
        return InboundMessage(messageID: messageID, kind: kind, change: change, requestHash: requestHash(kind: kind, body: body))
    }

    /// The hash stored with the message id, as the HTTP path hashes method, path and body.
    public static func requestHash(kind: InboundKind, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("AMQP \(kind.rawValue)\n".utf8))
        hasher.update(data: body)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func readChange(_ kind: InboundKind, _ value: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> Change {
        switch kind {
        case .interaction:
            return .interaction(try NewInteraction.read(value, normalizer: normalizer))
        case .customer:
            return .customer(try NewCustomer.read(value, normalizer: normalizer))
        case .customerPatch:
            var reader = try InputReader(value)
            let customerID = reader.string("customer_id", required: true, maxLength: 64)
            let patch = reader.customerPatch("patch", normalizer: normalizer)
            if reader.object["patch"] == nil { reader.fail("patch", "is required (a merge patch of the customer)") }
            try reader.finish()
            guard let customerID, let patch else { throw ValidationFailure(field: "patch", message: "is required") }
            return .customerPatch(customerID: customerID, patch: patch)
        }
    }
}

/// Why an inbound message cannot be applied, ever: it goes to the dead-letter queue with this in its headers.
public struct InboundRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; sent as `x-rapport-error-code`. New codes can be added without breaking callers.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No `message_id` property.
        public static let missingMessageID = Code(rawValue: "missing-message-id")
        /// A `message_id` that cannot serve as an idempotency key.
        public static let invalidMessageID = Code(rawValue: "invalid-message-id")
        /// A `type` property that names no kind of change.
        public static let unknownType = Code(rawValue: "unknown-type")
        /// The body is not JSON (or is compressed).
        public static let malformedBody = Code(rawValue: "malformed-json")
        /// The JSON does not pass the same validation as the HTTP route.
        public static let invalid = Code(rawValue: "validation")
        /// The message id was applied before with another type or body.
        public static let messageIDReused = Code(rawValue: "message-id-reused")
        /// The store refused the change (unknown channel or customer, identity held by another customer, merged).
        public static let refused = Code(rawValue: "refused")
        /// The store failed on this message again and again while it kept working for others.
        public static let failedRepeatedly = Code(rawValue: "failed-repeatedly")

        public var description: String { rawValue }
    }

    public var code: Code
    /// Every problem, by field, like the `errors` of a problem+json response.
    public var issues: [FieldIssue]

    public init(code: Code, issues: [FieldIssue]) {
        self.code = code
        self.issues = issues
    }

    public init(_ code: Code, field: String, _ message: String) {
        self.init(code: code, issues: [FieldIssue(field: field, message: message)])
    }

    /// The `x-rapport-error` header: `field: message` pairs joined by "; ".
    public var reason: String {
        issues.map(\.description).joined(separator: "; ")
    }

    public var description: String { "\(code): \(reason)" }
}
