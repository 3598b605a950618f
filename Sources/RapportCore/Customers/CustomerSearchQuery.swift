/// What a search box's text can mean: a name or company being typed, an email address, a phone
/// number written the way people write them ("030 1234 567", "+49 30 1234567"), or a qualified
/// identity ("external:shopify:10023"). Pure: the store turns it into lookups.
public struct CustomerSearchQuery: Sendable, Equatable {
    /// Identities the text names exactly, best first.
    public var identities: [Identity]
    /// Canonical identity values the text may be the start of (a number or address being typed).
    public var identityPrefixes: [IdentityPrefix]
    /// The lowercased text, matched against the start of names and companies; nil when the text
    /// is plainly a phone number or an email address.
    public var namePrefix: String?

    public struct IdentityPrefix: Sendable, Equatable {
        public var kind: IdentityKind
        public var prefix: String

        public init(kind: IdentityKind, prefix: String) {
            self.kind = kind
            self.prefix = prefix
        }
    }

    /// Phone numbers are looked up by prefix once this many digits are typed.
    public static let minimumPhoneDigits = 4

    public init(_ text: String, normalizer: IdentityNormalizer) {
        let input = text.trimmingWhitespace()
        identities = []
        identityPrefixes = []
        namePrefix = nil
        guard !input.isEmpty else { return }
        if let colon = input.firstIndex(of: ":"), IdentityKind(caseInsensitive: input[..<colon]) != nil {
            if let identity = try? normalizer.parse(input) { identities.append(identity) }
            namePrefix = input.lowercased()
            return
        }
        if input.contains("@") {
            if let email = try? normalizer.normalizeEmail(input) { identities.append(Identity(kind: .email, value: email)) }
            identityPrefixes.append(IdentityPrefix(kind: .email, prefix: input.lowercased()))
            return
        }
        if Self.looksLikePhone(input) {
            if let phone = try? normalizer.normalizePhone(input) { identities.append(Identity(kind: .phone, value: phone)) }
            for prefix in Self.phonePrefixes(input, region: PhoneRegion.named(normalizer.defaultRegion)) {
                identityPrefixes.append(IdentityPrefix(kind: .phone, prefix: prefix))
            }
            return
        }
        namePrefix = input.lowercased()
    }

    /// Digits with the separators people put between them, and at least one digit.
    static func looksLikePhone(_ text: String) -> Bool {
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case "+", " ", "-", "(", ")", ".", "/", "\u{00A0}": continue
            default: return false
            }
        }
        return digits > 0
    }

    /// The E.164 beginnings a partly typed number may have: international as written, or national
    /// in the default region (with its trunk prefix dropped).
    static func phonePrefixes(_ text: String, region: PhoneRegion?) -> [String] {
        let digits = String(text.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
        guard digits.count >= minimumPhoneDigits else { return [] }
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("+") { return ["+" + digits] }
        if digits.hasPrefix("00") { return ["+" + digits.dropFirst(2)] }
        guard let region else { return ["+" + digits] }
        if let international = region.internationalPrefixes.first(where: { digits.hasPrefix($0) }) {
            return ["+" + digits.dropFirst(international.count)]
        }
        if let trunk = region.trunkPrefix, digits.hasPrefix(trunk) {
            return ["+" + region.callingCode + digits.dropFirst(trunk.count)]
        }
        // A national number without its trunk prefix, or an international one without its "+".
        return ["+" + region.callingCode + digits, "+" + digits]
    }
}
