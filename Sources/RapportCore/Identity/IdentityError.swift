/// Why a raw identity could not be normalized; `message` is safe to show to API clients.
public struct IdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's name, e.g. `invalid_email`.
        public let name: String

        /// The text before the `:` in `kind:value` is not a known kind.
        public static let unknownKind = Code(name: "unknown_kind")
        /// The text is not of the form `kind:value`, `platform:handle` or `system:id`.
        public static let malformed = Code(name: "malformed")
        /// A phone region code is not in `PhoneRegion.all`.
        public static let unknownRegion = Code(name: "unknown_region")
        /// The value is not a valid email address.
        public static let invalidEmail = Code(name: "invalid_email")
        /// The value is not a valid phone number.
        public static let invalidPhone = Code(name: "invalid_phone")
        /// The value is not a valid social handle.
        public static let invalidSocial = Code(name: "invalid_social")
        /// The value is not a valid external system id.
        public static let invalidExternal = Code(name: "invalid_external")
        /// The value is not a valid device id.
        public static let invalidDevice = Code(name: "invalid_device")

        /// The code's name.
        public var description: String { name }
    }

    /// The machine-readable reason.
    public let code: Code
    /// Human readable and safe to show to API clients, e.g. `"ana@" is not a valid email address: nothing after "@"`.
    public let message: String

    /// Creates an error with a code and a client-safe message.
    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// `text` in double quotes for a message: at most 64 characters, control characters and quotes escaped.
    static func quoted(_ text: some StringProtocol) -> String {
        let limit = 64
        var shown = String(text.prefix(limit))
        if text.count > limit { shown += "…" }
        // debugDescription adds the quotes and escapes `"`, `\` and control characters (`\n`, `\u{7}`).
        return shown.debugDescription
    }
}
