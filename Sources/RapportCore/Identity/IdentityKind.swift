/// The kinds of identity that can point at a customer.
public enum IdentityKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// An email address, stored lowercased, e.g. `ana@example.com`.
    case email
    /// A phone number in E.164 form, e.g. `+4930123456`.
    case phone
    /// A handle on a social platform, stored as `platform:handle`, e.g. `twitter:ana`.
    case social
    /// An id in another system, stored as `system:id`, e.g. `shopify:10023`.
    case external
    /// A device or installation id, stored lowercased.
    case device

    /// The kind named by `text`, ignoring case and surrounding whitespace.
    init?(caseInsensitive text: some StringProtocol) {
        let name = IdentityText.trimmed(String(text)).lowercased()
        self.init(rawValue: name)
    }

    /// All kind names as one phrase for error messages: "email, phone, social, external, device".
    static let namesForMessages = allCases.map(\.rawValue).joined(separator: ", ")
}
