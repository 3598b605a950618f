/// Turns identities as people and systems write them into canonical `Identity` values.
///
/// Canonical forms: email lowercased (`ana@example.com`, IDN domains in Unicode), phone in E.164
/// (`+4930123456`), social `platform:handle` lowercased without `@`, external `system:id` with the
/// id's case kept, device lowercased. Normalizing a canonical value returns it unchanged.
public struct IdentityNormalizer: Sendable {
    private let region: PhoneRegion

    /// `defaultRegion` is an ISO 3166-1 alpha-2 code used for phone numbers written without a country code.
    public init(defaultRegion: String = "US") throws(IdentityError) {
        self.region = try Self.phoneRegion(defaultRegion)
    }

    /// The uppercase ISO code of the region used for phone numbers written without a country code.
    public var defaultRegion: String { region.code }

    /// The canonical identity of kind `kind` for `raw`, or an error that says what is wrong with it.
    public func normalize(_ kind: IdentityKind, _ raw: String) throws(IdentityError) -> Identity {
        let value = switch kind {
        case .email: try EmailNormalizer.normalize(raw)
        case .phone: try PhoneNumberNormalizer.normalize(raw, region: region)
        case .social: try HandleNormalizer.social(raw)
        case .external: try HandleNormalizer.external(raw)
        case .device: try HandleNormalizer.device(raw)
        }
        return Identity(kind: kind, value: value)
    }

    /// Parses "kind:value" (kind case-insensitive), e.g. "email:Ana@Example.com", "phone:+49 30 1234567", "social:twitter:@Ana", "external:shopify:10023", "device:ABC-123".
    public func parse(_ qualified: String) throws(IdentityError) -> Identity {
        let input = IdentityText.trimmed(qualified)
        guard let colon = input.firstIndex(of: ":") else {
            let message = input.isEmpty
                ? "identity is empty; write it as kind:value, e.g. email:ana@example.com"
                : "identity \(IdentityError.quoted(input)) must be written as kind:value, e.g. email:ana@example.com"
            throw IdentityError(.malformed, message: message)
        }
        let name = input[..<colon]
        guard let kind = IdentityKind(caseInsensitive: name) else {
            throw IdentityError(
                .unknownKind,
                message: "unknown identity kind \(IdentityError.quoted(name)); expected one of \(IdentityKind.namesForMessages)"
            )
        }
        return try normalize(kind, String(input[input.index(after: colon)...]))
    }

    /// The canonical form of an email address: trimmed and lowercased, e.g. " Ana@Example.COM " → "ana@example.com".
    public func normalizeEmail(_ raw: String) throws(IdentityError) -> String {
        try EmailNormalizer.normalize(raw)
    }

    /// The E.164 form of a phone number, e.g. "030 1234567" in DE → "+49301234567"; `region` overrides the default region.
    public func normalizePhone(_ raw: String, region: String? = nil) throws(IdentityError) -> String {
        let phoneRegion = try region.map { code throws(IdentityError) in try Self.phoneRegion(code) } ?? self.region
        return try PhoneNumberNormalizer.normalize(raw, region: phoneRegion)
    }

    private static func phoneRegion(_ code: String) throws(IdentityError) -> PhoneRegion {
        guard let region = PhoneRegion.named(code) else {
            throw IdentityError(
                .unknownRegion,
                message: "unknown phone region \(IdentityError.quoted(code)); expected an ISO 3166-1 alpha-2 code such as US or DE"
            )
        }
        return region
    }
}
