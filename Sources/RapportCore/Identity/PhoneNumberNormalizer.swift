/// Reads phone numbers as people write them and returns E.164 (`+` and up to 15 digits).
///
/// International input (`+49 30 …`, `0049 30 …`, `011 49 30 …` from NANP) is checked against the
/// regions of its calling code; national input (`030 …`) is read in the given region: its trunk
/// prefix is dropped and its calling code put in front.
enum PhoneNumberNormalizer {
    static let maxE164Digits = 15

    /// The E.164 form of `raw`, e.g. `"(415) 555-2671"` in US → `+14155552671`.
    static func normalize(_ raw: String, region: PhoneRegion) throws(IdentityError) -> String {
        let input = IdentityText.trimmed(raw)
        guard !input.isEmpty else { throw IdentityError(.invalidPhone, message: "phone number is empty") }
        func invalid(_ problem: String) -> IdentityError {
            IdentityError(.invalidPhone, message: "phone number \(IdentityError.quoted(input)) \(problem)")
        }
        guard !IdentityText.containsControlCharacters(input) else { throw invalid("contains control characters") }

        let written = try digits(of: input, invalid)
        guard !written.digits.isEmpty else { throw invalid("has no digits") }

        let callingCode: String
        let regions: [PhoneRegion]
        // Candidates name their region by its index in `regions`: copying a region for each of
        // them (NANP has 25) cost more than the checks.
        var candidates: [(number: Substring, region: Int)] = []
        if let international = internationalDigits(written, region: region) {
            guard !international.isEmpty else { throw invalid("is too short") }
            guard let match = PhoneRegion.matchingCallingCode(international) else {
                throw invalid("does not start with a known country calling code")
            }
            (callingCode, regions) = match
            let number = international.dropFirst(callingCode.count)
            // As written first; then without a trunk prefix kept after the calling code: "+44 (0)20 …", "+49 030 …".
            // Where the trunk prefix is 0, no national number starts with 0, so this cannot misread one;
            // Italy has no trunk prefix, so "+39 (0)6 …" keeps its 0 as it should.
            candidates += regions.indices.map { (number, $0) }
            candidates += regions.indices.compactMap { index in
                guard let trunk = regions[index].trunkPrefix, number.hasPrefix(trunk) else { return nil }
                return (number.dropFirst(trunk.count), index)
            }
        } else {
            (callingCode, regions) = (region.callingCode, [region])
            let number = written.digits[...]
            // Without the trunk prefix first; as written too, since some numbers start with the trunk digit (RU 812 …).
            if let trunk = region.trunkPrefix, number.hasPrefix(trunk) {
                candidates.append((number.dropFirst(trunk.count), 0))
            }
            candidates.append((number, 0))
        }
        candidates += candidates.flatMap { candidate in
            regions[candidate.region].droppablePrefixes.compactMap { prefix in
                guard candidate.number.count > regions[candidate.region].nationalLengths.upperBound,
                      candidate.number.hasPrefix(prefix) else { return nil }
                return (candidate.number.dropFirst(prefix.count), candidate.region)
            }
        }

        if let accepted = candidates.first(where: { regions[$0.region].accepts($0.number) }),
           callingCode.count + accepted.number.count <= maxE164Digits {
            return "+\(callingCode)\(accepted.number)"
        }
        let shortest = regions.map(\.nationalLengths.lowerBound).min() ?? 0
        let longest = regions.map(\.nationalLengths.upperBound).max() ?? 0
        let primary = candidates.first?.number.count ?? 0
        if primary < shortest { throw invalid("is too short") }
        if primary > longest { throw invalid("is too long") }
        throw invalid("is not a valid +\(callingCode) number")
    }

    /// The digits of a written number and whether it started with `+`.
    private struct WrittenNumber {
        var digits = ""
        var plus = false
    }

    /// The digits of `input`, read as any decimal digits, with formatting dropped; other characters are explained as errors.
    private static func digits(
        of input: Substring, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> WrittenNumber {
        var text = input
        if text.prefix(4).lowercased() == "tel:" { text = text.dropFirst(4) }
        let scalars = Array(text.unicodeScalars)
        var written = WrittenNumber()
        for (index, scalar) in scalars.enumerated() {
            if let digit = asciiDigit(scalar) {
                written.digits.append(digit)
            } else if scalar == "+" || scalar == "\u{FF0B}" {
                guard written.digits.isEmpty, !written.plus else { throw invalid("has a \"+\" that is not at its start") }
                written.plus = true
            } else if isSeparator(scalar) {
                // Formatting only.
            } else {
                try rejectRest(scalars[index...], after: written, invalid)
            }
        }
        return written
    }

    /// Explains why the text from the first character that is neither digit nor separator cannot be read.
    private static func rejectRest(
        _ rest: ArraySlice<Unicode.Scalar>, after written: WrittenNumber, _ invalid: (String) -> IdentityError
    ) throws(IdentityError) -> Never {
        var tail = String(String.UnicodeScalarView(rest)).lowercased()
        while let first = tail.unicodeScalars.first, first.properties.isWhitespace { tail.unicodeScalars.removeFirst() }
        if !written.digits.isEmpty {
            for marker in [";ext=", "extension", "ext", "x", "#", ","] where tail.hasPrefix(marker) {
                let extensionText = tail.dropFirst(marker.count).filter { !". :=-#".contains($0) && !$0.isWhitespace }
                if !extensionText.isEmpty, extensionText.allSatisfy(\.isASCII), extensionText.allSatisfy(\.isNumber) {
                    throw invalid("has an extension; extensions are not supported in phone identities")
                }
            }
        }
        if rest.contains(where: \.properties.isAlphabetic) { throw invalid("contains letters") }
        throw invalid("contains \(IdentityError.quoted(String(Character(rest[rest.startIndex])))), which is not part of a phone number")
    }

    /// The digits after an international prefix (`+`, `00`, or one of the region's), or nil for a national number.
    private static func internationalDigits(_ written: WrittenNumber, region: PhoneRegion) -> Substring? {
        if written.plus { return written.digits[...] }
        guard let prefix = internationalPrefix(of: written.digits, region: region) else { return nil }
        return written.digits.dropFirst(prefix.count)
    }

    private static func internationalPrefix(of digits: String, region: PhoneRegion) -> String? {
        (region.internationalPrefixes + ["00"])
            .sorted { $0.count > $1.count }
            .first { digits.hasPrefix($0) }
    }

    /// An ASCII digit for any decimal digit, so numbers written in Arabic-Indic or full-width digits are read too.
    private static func asciiDigit(_ scalar: Unicode.Scalar) -> Character? {
        guard scalar.properties.generalCategory == .decimalNumber,
              let value = scalar.properties.numericValue, value >= 0, value <= 9 else { return nil }
        return Character(String(Int(value)))
    }

    /// Spaces (including no-break and thin spaces), hyphens and dashes, dots, parentheses and slashes, also full-width.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "-", ".", "(", ")", "/", "\u{2010}"..."\u{2015}", "\u{2212}", "\u{FF08}", "\u{FF09}", "\u{FF0D}": true
        default: scalar.properties.isWhitespace
        }
    }
}
