/// A normalized identity; `value` is canonical, so equal identities compare equal as strings.
public struct Identity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What sort of identity this is.
    public let kind: IdentityKind
    /// The canonical value, without the kind; see `IdentityNormalizer` for each kind's form.
    public let value: String

    /// Wraps an already normalized value without checking it (for values read back from storage).
    public init(kind: IdentityKind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// The identity as `kind:value`, e.g. `email:ana@example.com` or `social:twitter:ana`.
    public var qualified: String { "\(kind.rawValue):\(value)" }

    /// The qualified form, `kind:value`.
    public var description: String { qualified }
}
