/// Normalizes the identities that are names in someone else's namespace: social handles, external ids and device ids.
enum HandleNormalizer {
    static let maxPlatformLength = 32
    static let maxHandleLength = 100
    static let maxSystemLength = 64
    static let maxExternalIDLength = 200
    static let maxDeviceLength = 200

    /// `platform:handle` with both lowercased and one leading `@` dropped, e.g. `Twitter:@Ana` → `twitter:ana`.
    static func social(_ raw: String) throws(IdentityError) -> String {
        let input = IdentityText.trimmed(raw)
        func invalid(_ reason: String) -> IdentityError {
            IdentityError(.invalidSocial, message: "social handle \(IdentityError.quoted(input)) \(reason)")
        }
        guard !input.isEmpty else { throw IdentityError(.invalidSocial, message: "social handle is empty") }
        guard !IdentityText.containsControlCharacters(input) else { throw invalid("contains control characters") }
        guard let colon = input.firstIndex(of: ":") else {
            throw IdentityError(.malformed, message: "social handle \(IdentityError.quoted(input)) must be written as platform:handle, e.g. twitter:ana")
        }
        let platform = try namespace(input[..<colon], maxLength: maxPlatformLength, what: "platform", invalid)
        var handle = IdentityText.trimmed(String(input[input.index(after: colon)...]))
        if handle.hasPrefix("@") { handle = handle.dropFirst() }
        guard !handle.isEmpty else { throw invalid("has an empty handle") }
        // A kept second "@" would be dropped when the value is normalized again.
        guard !handle.hasPrefix("@") else { throw invalid("has a handle that starts with \"@@\"") }
        guard !IdentityText.containsWhitespace(handle) else { throw invalid("has whitespace in the handle") }
        let lowered = IdentityText.composed(handle.lowercased())
        guard lowered.count <= maxHandleLength else { throw invalid("has a handle longer than \(maxHandleLength) characters") }
        return "\(platform):\(lowered)"
    }

    /// `system:id` with the system lowercased and the id kept as written (ids are often case-sensitive).
    static func external(_ raw: String) throws(IdentityError) -> String {
        let input = IdentityText.trimmed(raw)
        func invalid(_ reason: String) -> IdentityError {
            IdentityError(.invalidExternal, message: "external id \(IdentityError.quoted(input)) \(reason)")
        }
        guard !input.isEmpty else { throw IdentityError(.invalidExternal, message: "external id is empty") }
        guard !IdentityText.containsControlCharacters(input) else { throw invalid("contains control characters") }
        guard let colon = input.firstIndex(of: ":") else {
            throw IdentityError(.malformed, message: "external id \(IdentityError.quoted(input)) must be written as system:id, e.g. shopify:10023")
        }
        let system = try namespace(input[..<colon], maxLength: maxSystemLength, what: "system", invalid)
        let id = IdentityText.composed(String(IdentityText.trimmed(String(input[input.index(after: colon)...]))))
        guard !id.isEmpty else { throw invalid("has an empty id") }
        guard id.count <= maxExternalIDLength else { throw invalid("has an id longer than \(maxExternalIDLength) characters") }
        return "\(system):\(id)"
    }

    /// The device id lowercased; letters, digits and `._:-` only.
    static func device(_ raw: String) throws(IdentityError) -> String {
        let input = IdentityText.trimmed(raw)
        func invalid(_ reason: String) -> IdentityError {
            IdentityError(.invalidDevice, message: "device id \(IdentityError.quoted(input)) \(reason)")
        }
        guard !input.isEmpty else { throw IdentityError(.invalidDevice, message: "device id is empty") }
        guard !IdentityText.containsControlCharacters(input) else { throw invalid("contains control characters") }
        guard input.unicodeScalars.count <= maxDeviceLength else { throw invalid("is longer than \(maxDeviceLength) characters") }
        if let bad = input.unicodeScalars.first(where: { !isDeviceScalar($0) }) {
            throw invalid("contains \(IdentityError.quoted(String(bad))); only letters, digits and . _ : - are allowed")
        }
        return input.lowercased()
    }

    /// A platform or system name: lowercased, `[a-z0-9][a-z0-9._-]*` and at most `maxLength` long.
    private static func namespace(
        _ raw: Substring, maxLength: Int, what: String, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> String {
        let name = IdentityText.trimmed(String(raw)).lowercased()
        guard let first = name.unicodeScalars.first else { throw invalid("has an empty \(what) name") }
        guard name.unicodeScalars.count <= maxLength else { throw invalid("has a \(what) name longer than \(maxLength) characters") }
        let valid = isNameStart(first) && name.unicodeScalars.allSatisfy { isNameStart($0) || $0 == "." || $0 == "_" || $0 == "-" }
        guard valid else {
            throw invalid("has an invalid \(what) name; use lowercase letters, digits and . _ - starting with a letter or digit")
        }
        return name
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isDeviceScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", ":", "-": true
        default: false
        }
    }
}
