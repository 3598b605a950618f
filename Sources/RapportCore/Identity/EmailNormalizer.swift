/// Validates email addresses and brings them to one canonical spelling.
///
/// The whole address is lowercased. Sub-addresses (`ana+news@`) and dots are kept: rewriting
/// them the way one provider does would merge different people at other providers.
enum EmailNormalizer {
    static let maxLocalPartBytes = 64
    static let maxAddressBytes = 254
    static let maxLabelBytes = 63

    /// The canonical form of `raw`, e.g. `" Ana@Example.COM "` → `ana@example.com`.
    static func normalize(_ raw: String) throws(IdentityError) -> String {
        if let plain = plainASCII(raw) { return plain }
        return try checked(raw)
    }

    /// The canonical form of an address of printable ASCII that is valid as it stands (nothing to
    /// trim, no punycode), checked byte by byte; nil for anything else, which `checked` reads and
    /// names the fault of. For what it accepts it gives what `checked` gives.
    static func plainASCII(_ raw: String) -> String? {
        var bytes = Array(raw.utf8)
        guard bytes.count <= maxAddressBytes, let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        let dot = UInt8(ascii: ".")
        // The part before "@": atext and dots, no dot at either end or two in a row.
        guard at > 0, at <= maxLocalPartBytes, bytes[0] != dot, bytes[at - 1] != dot else { return nil }
        for position in 0..<at {
            let byte = bytes[position]
            if byte == dot {
                if bytes[position + 1] == dot { return nil }
            } else {
                guard byte < 0x80, isAtext(Unicode.Scalar(byte)) else { return nil }
                bytes[position] = lowercased(byte)
            }
        }
        // The domain: two labels or more of letters, digits and inner hyphens, no A-label, not a number at the end.
        var labelStart = at + 1
        var labels = 0
        var topIsNumber = true
        for position in (at + 1)...bytes.count {
            guard position < bytes.count, bytes[position] != dot else {
                let length = position - labelStart
                guard length > 0, length <= maxLabelBytes, bytes[labelStart] != UInt8(ascii: "-"),
                      bytes[position - 1] != UInt8(ascii: "-") else { return nil }
                if length >= 4, bytes[labelStart + 2] == UInt8(ascii: "-"), bytes[labelStart + 3] == UInt8(ascii: "-"),
                   bytes[labelStart] == UInt8(ascii: "x"), bytes[labelStart + 1] == UInt8(ascii: "n") { return nil }
                topIsNumber = bytes[labelStart..<position].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                labels += 1
                labelStart = position + 1
                continue
            }
            let byte = lowercased(bytes[position])
            guard (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") else { return nil }
            bytes[position] = byte
        }
        guard labels >= 2, !topIsNumber else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// The canonical form of `raw`, every rule checked on Unicode text, or the first fault found.
    static func checked(_ raw: String) throws(IdentityError) -> String {
        let input = IdentityText.trimmed(raw)
        guard !input.isEmpty else { throw IdentityError(.invalidEmail, message: "email address is empty") }
        func invalid(_ reason: String) -> IdentityError {
            IdentityError(.invalidEmail, message: "\(IdentityError.quoted(input)) is not a valid email address: \(reason)")
        }
        guard !IdentityText.containsControlCharacters(input) else { throw invalid("it contains control characters") }

        let parts = input.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw invalid(parts.count < 2 ? "it has no \"@\"" : "it has more than one \"@\"")
        }
        // Checked before lowercasing, so a rejected character is named as it was written.
        let local = try localPart(parts[0], invalid).lowercased()
        let domain = try domain(Substring(parts[1].lowercased()), invalid)
        guard local.utf8.count + 1 + domain.wireBytes <= maxAddressBytes else {
            throw invalid("it is longer than \(maxAddressBytes) bytes")
        }
        return IdentityText.composed("\(local)@\(domain.unicode)")
    }

    private static func localPart(
        _ local: Substring, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> Substring {
        guard !local.isEmpty else { throw invalid("nothing before \"@\"") }
        guard local.utf8.count <= maxLocalPartBytes else {
            throw invalid("the part before \"@\" is longer than \(maxLocalPartBytes) bytes")
        }
        if let bad = local.unicodeScalars.first(where: { !isAtext($0) && $0 != "." }) {
            throw invalid("the part before \"@\" contains \(IdentityError.quoted(String(bad)))")
        }
        guard local.first != ".", local.last != ".", !local.contains("..") else {
            throw invalid("the part before \"@\" has a dot at its start or end, or two dots in a row")
        }
        return local
    }

    private static func domain(
        _ domain: Substring, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> (unicode: String, wireBytes: Int) {
        guard !domain.isEmpty else { throw invalid("nothing after \"@\"") }
        // IDNA treats the ideographic and full-width full stops as dots (an ASCII domain has none).
        let dotted = domain.utf8.allSatisfy { $0 < 0x80 } ? String(domain) : String(domain.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "\u{3002}", "\u{FF0E}", "\u{FF61}": "."
            default: Character(scalar)
            }
        })
        let labels = dotted.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw invalid("the domain has no dot") }
        var unicodeLabels: [String] = []
        var wireBytes = 0
        for label in labels {
            let (text, bytes) = try domainLabel(label, invalid)
            unicodeLabels.append(text)
            wireBytes += bytes + 1
        }
        guard let top = unicodeLabels.last, !top.allSatisfy(\.isNumber) else {
            throw invalid("the domain ends in a number")
        }
        return (unicodeLabels.joined(separator: "."), wireBytes - 1)
    }

    private static func domainLabel(
        _ label: Substring, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> (unicode: String, wireBytes: Int) {
        guard !label.isEmpty else { throw invalid("the domain has an empty label (two dots in a row, or a dot at its start or end)") }
        // Unicode labels travel as punycode, which is about one byte per character; count characters for them.
        let wireBytes = label.unicodeScalars.allSatisfy(\.isASCII) ? label.utf8.count : label.unicodeScalars.count
        guard wireBytes <= maxLabelBytes else {
            throw invalid("the domain label \(IdentityError.quoted(label)) is longer than \(maxLabelBytes) bytes")
        }
        var text = String(label)
        if label.hasPrefix("xn--") {
            // An A-label must decode to a label with at least one non-ASCII character.
            guard let decoded = Punycode.decode(label.dropFirst(4)), !decoded.unicodeScalars.allSatisfy(\.isASCII) else {
                throw invalid("the domain label \(IdentityError.quoted(label)) is not valid punycode")
            }
            text = decoded.lowercased()
        }
        if let bad = text.unicodeScalars.first(where: { !isDomainScalar($0) }) {
            throw invalid("the domain contains \(IdentityError.quoted(String(bad)))")
        }
        guard text.first != "-", text.last != "-" else {
            throw invalid("the domain label \(IdentityError.quoted(label)) starts or ends with \"-\"")
        }
        return (text, wireBytes)
    }

    /// RFC 5322 `atext`: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~": true
        default: false
        }
    }

    /// Letters, digits and hyphens; beyond ASCII, letters, combining marks and digits of any script (IDN labels).
    private static func isDomainScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-": return true
        default:
            guard !scalar.isASCII else { return false }
            switch scalar.properties.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .decimalNumber:
                return true
            default:
                return false
            }
        }
    }
}
