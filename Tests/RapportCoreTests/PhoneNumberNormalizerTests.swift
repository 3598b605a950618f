import Testing
@testable import RapportCore

@Suite("Phone numbers")
struct PhoneNumberNormalizerTests {
    /// One phone number as written, the region it was written in, and its E.164 form.
    struct Case: Sendable, CustomTestStringConvertible {
        let raw: String
        let region: String
        let e164: String
        init(_ raw: String, _ region: String, _ e164: String) {
            self.raw = raw
            self.region = region
            self.e164 = e164
        }
        var testDescription: String { "\(region) \(raw.debugDescription) → \(e164)" }
    }

    static let valid: [Case] = [
        // United States and NANP
        Case("(415) 555-2671", "US", "+14155552671"),
        Case("415.555.2671", "US", "+14155552671"),
        Case("415 555 2671", "US", "+14155552671"),
        Case("1-415-555-2671", "US", "+14155552671"),
        Case("+1 415 555 2671", "US", "+14155552671"),
        Case("+1 (415) 555-2671", "DE", "+14155552671"),
        Case("tel:+1-415-555-2671", "US", "+14155552671"),
        Case("TEL:+1-415-555-2671", "US", "+14155552671"),
        Case("415\u{00A0}555\u{00A0}2671", "US", "+14155552671"),
        Case("415\u{2013}555\u{2013}2671", "US", "+14155552671"),
        Case("(604) 555-0199", "CA", "+16045550199"),
        Case("011 44 20 7946 0958", "US", "+442079460958"),
        Case("011 49 30 1234567", "CA", "+49301234567"),
        Case("0044 20 7946 0958", "US", "+442079460958"),
        // United Kingdom
        Case("+44 20 7946 0958", "US", "+442079460958"),
        Case("0044 20 7946 0958", "GB", "+442079460958"),
        Case("020 7946 0958", "GB", "+442079460958"),
        Case("+44 (0)20 7946 0958", "GB", "+442079460958"),
        Case("+44(0)2079460958", "FR", "+442079460958"),
        Case("0044 (0)20 7946 0958", "DE", "+442079460958"),
        Case("07700 900123", "GB", "+447700900123"),
        // Germany
        Case("030 1234567", "DE", "+49301234567"),
        Case("030/1234567", "DE", "+49301234567"),
        Case("(030) 123 45 67", "DE", "+49301234567"),
        Case("+49 30 1234567", "US", "+49301234567"),
        Case("0049 30 1234567", "DE", "+49301234567"),
        Case("+49 (0)30 1234567", "DE", "+49301234567"),
        Case("+49 030 1234567", "US", "+49301234567"),
        Case("0151 23456789", "DE", "+4915123456789"),
        // France
        Case("06 12 34 56 78", "FR", "+33612345678"),
        Case("06.12.34.56.78", "FR", "+33612345678"),
        Case("+33 6 12 34 56 78", "US", "+33612345678"),
        Case("+33 (0)6 12 34 56 78", "GB", "+33612345678"),
        Case("01 23 45 67 89", "FR", "+33123456789"),
        // Italy keeps the leading 0 of landlines: it is part of the number, not a trunk prefix.
        Case("333 1234567", "IT", "+393331234567"),
        Case("06 1234 5678", "IT", "+390612345678"),
        Case("+39 06 1234 5678", "US", "+390612345678"),
        Case("0039 333 1234567", "DE", "+393331234567"),
        Case("+39 (0)6 1234 5678", "GB", "+390612345678"),
        // Elsewhere in Europe
        Case("612 34 56 78", "ES", "+34612345678"),
        Case("06-12345678", "NL", "+31612345678"),
        Case("0470 12 34 56", "BE", "+32470123456"),
        Case("044 668 18 00", "CH", "+41446681800"),
        Case("01 234567", "AT", "+431234567"),
        Case("912 345 678", "PT", "+351912345678"),
        Case("08-123 456 78", "SE", "+46812345678"),
        Case("412 34 567", "NO", "+4741234567"),
        Case("32 12 34 56", "DK", "+4532123456"),
        Case("040 1234567", "FI", "+358401234567"),
        Case("512 345 678", "PL", "+48512345678"),
        Case("601 123 456", "CZ", "+420601123456"),
        Case("06 1 234 5678", "HU", "+3612345678"),
        Case("0721 234 567", "RO", "+40721234567"),
        Case("210 123 4567", "GR", "+302101234567"),
        Case("087 123 4567", "IE", "+353871234567"),
        Case("0532 123 45 67", "TR", "+905321234567"),
        Case("050 123 4567", "UA", "+380501234567"),
        // Russia: trunk prefix 8, but 8 also starts some area codes (812 Saint Petersburg).
        Case("8 (495) 123-45-67", "RU", "+74951234567"),
        Case("8 812 123 45 67", "RU", "+78121234567"),
        Case("812 123 45 67", "RU", "+78121234567"),
        Case("+7 812 123 45 67", "DE", "+78121234567"),
        Case("810 49 30 1234567", "RU", "+49301234567"),
        // Middle East and Africa
        Case("050-123-4567", "IL", "+972501234567"),
        Case("050 123 4567", "AE", "+971501234567"),
        Case("٠٥٠ ١٢٣ ٤٥٦٧", "AE", "+971501234567"),
        Case("055 123 4567", "SA", "+966551234567"),
        Case("010 1234 5678", "EG", "+201012345678"),
        Case("082 123 4567", "ZA", "+27821234567"),
        Case("0803 123 4567", "NG", "+2348031234567"),
        Case("0712 345678", "KE", "+254712345678"),
        Case("0612-345678", "MA", "+212612345678"),
        // Asia and Oceania
        Case("098765 43210", "IN", "+919876543210"),
        Case("+91 98765 43210", "US", "+919876543210"),
        Case("0300 1234567", "PK", "+923001234567"),
        Case("01712-345678", "BD", "+8801712345678"),
        Case("138 0013 8000", "CN", "+8613800138000"),
        Case("010 1234 5678", "CN", "+861012345678"),
        Case("9123 4567", "HK", "+85291234567"),
        Case("0912 345 678", "TW", "+886912345678"),
        Case("03-1234-5678", "JP", "+81312345678"),
        Case("090-1234-5678", "JP", "+819012345678"),
        Case("010 1 415 555 2671", "JP", "+14155552671"),
        Case("010-1234-5678", "KR", "+821012345678"),
        Case("02-123-4567", "KR", "+8221234567"),
        Case("001 1 415 555 2671", "KR", "+14155552671"),
        Case("9123 4567", "SG", "+6591234567"),
        Case("012-345 6789", "MY", "+60123456789"),
        Case("081 234 5678", "TH", "+66812345678"),
        Case("091 234 56 78", "VN", "+84912345678"),
        Case("0812-3456-7890", "ID", "+6281234567890"),
        Case("0917 123 4567", "PH", "+639171234567"),
        Case("(02) 9876 5432", "AU", "+61298765432"),
        Case("0412 345 678", "AU", "+61412345678"),
        Case("0011 44 20 7946 0958", "AU", "+442079460958"),
        Case("021 123 4567", "NZ", "+64211234567"),
        Case("＋４４ ２０ ７９４６ ０９５８", "JP", "+442079460958"),
        // Latin America
        Case("(11) 91234-5678", "BR", "+5511912345678"),
        Case("0 21 11 91234-5678", "BR", "+5511912345678"),
        Case("+55 11 91234 5678", "US", "+5511912345678"),
        Case("55 1234 5678", "MX", "+525512345678"),
        Case("+52 1 55 1234 5678", "US", "+525512345678"),
        Case("044 55 1234 5678", "MX", "+525512345678"),
        Case("01 55 1234 5678", "MX", "+525512345678"),
        Case("011 4123-4567", "AR", "+541141234567"),
        Case("9 6123 4567", "CL", "+56961234567"),
        Case("321 1234567", "CO", "+573211234567"),
        Case("912 345 678", "PE", "+51912345678"),
        Case("88 123 45 67", "UZ", "+998881234567"),
    ]

    @Test("national and international spellings become E.164", arguments: valid)
    func validNumber(_ example: Case) throws {
        let normalizer = try IdentityNormalizer(defaultRegion: example.region)
        #expect(try normalizer.normalizePhone(example.raw) == example.e164)
        #expect(try normalizer.normalize(.phone, example.raw) == Identity(kind: .phone, value: example.e164))
        // The region can also be given per call.
        #expect(try IdentityNormalizer().normalizePhone(example.raw, region: example.region) == example.e164)
    }

    @Test("E.164 output reads back unchanged in any region", arguments: valid)
    func idempotent(_ example: Case) throws {
        for region in ["US", "DE", "IT", "JP", example.region] {
            #expect(try IdentityNormalizer().normalizePhone(example.e164, region: region) == example.e164)
        }
    }

    /// A phone number as written, the region it was written in, and the message it is rejected with.
    struct Rejection: Sendable, CustomTestStringConvertible {
        let raw: String
        let region: String
        let message: String
        init(_ raw: String, _ region: String, _ message: String) {
            self.raw = raw
            self.region = region
            self.message = message
        }
        var testDescription: String { "\(region) \(raw.debugDescription)" }
    }

    static let invalid: [Rejection] = [
        Rejection("12", "US", "phone number \"12\" is too short"),
        Rejection("", "US", "phone number is empty"),
        Rejection(" \u{00A0} ", "US", "phone number is empty"),
        Rejection("+", "US", "phone number \"+\" has no digits"),
        Rejection("( ) -", "US", "phone number \"( ) -\" has no digits"),
        Rejection("00", "DE", "phone number \"00\" is too short"),
        Rejection("0049", "DE", "phone number \"0049\" is too short"),
        Rejection("555 2671", "US", "phone number \"555 2671\" is too short"),
        Rejection("415 555 26711", "US", "phone number \"415 555 26711\" is too long"),
        Rejection("+1 055 555 1234", "US", "phone number \"+1 055 555 1234\" is not a valid +1 number"),
        Rejection("+1 155 555 1234", "US", "phone number \"+1 155 555 1234\" is not a valid +1 number"),
        Rejection("+49 30 12345678901234", "DE", "phone number \"+49 30 12345678901234\" is too long"),
        Rejection("+44 20 7946 0958 0000 00", "GB", "phone number \"+44 20 7946 0958 0000 00\" is too long"),
        Rejection("0226 260641", "MX", "phone number \"0226 260641\" is not a valid +52 number"),
        Rejection("06 12 34 56 7", "FR", "phone number \"06 12 34 56 7\" is too short"),
        Rejection("+33 0", "FR", "phone number \"+33 0\" is too short"),
        Rejection("+999 123 4567", "US", "phone number \"+999 123 4567\" does not start with a known country calling code"),
        Rejection("+800 1234 5678", "US", "phone number \"+800 1234 5678\" does not start with a known country calling code"),
        Rejection("1-800-FLOWERS", "US", "phone number \"1-800-FLOWERS\" contains letters"),
        Rejection("abc", "US", "phone number \"abc\" contains letters"),
        Rejection("+1 415 555 2671 ext. 12", "US", "phone number \"+1 415 555 2671 ext. 12\" has an extension; extensions are not supported in phone identities"),
        Rejection("415-555-2671 x12", "US", "phone number \"415-555-2671 x12\" has an extension; extensions are not supported in phone identities"),
        Rejection("415-555-2671 extension 12", "US", "phone number \"415-555-2671 extension 12\" has an extension; extensions are not supported in phone identities"),
        Rejection("tel:+1-415-555-2671;ext=12", "US", "phone number \"tel:+1-415-555-2671;ext=12\" has an extension; extensions are not supported in phone identities"),
        Rejection("030 1234567 #12", "DE", "phone number \"030 1234567 #12\" has an extension; extensions are not supported in phone identities"),
        Rejection("+1 415 555 2671 xyz", "US", "phone number \"+1 415 555 2671 xyz\" contains letters"),
        Rejection("tel:+1-415-555-2671;isub=12", "US", "phone number \"tel:+1-415-555-2671;isub=12\" contains letters"),
        Rejection("415*555*2671", "US", "phone number \"415*555*2671\" contains \"*\", which is not part of a phone number"),
        Rejection("+44 +20 7946 0958", "GB", "phone number \"+44 +20 7946 0958\" has a \"+\" that is not at its start"),
        Rejection("415 555 2671\u{7}", "US", "phone number \"415 555 2671\\u{07}\" contains control characters"),
        Rejection("415\u{200E}555 2671", "US", "phone number \"415\u{200E}555 2671\" contains control characters"),
    ]

    @Test("garbage is rejected with a message that says why", arguments: invalid)
    func invalidNumber(_ example: Rejection) throws {
        let normalizer = try IdentityNormalizer(defaultRegion: example.region)
        #expect(throws: IdentityError(.invalidPhone, message: example.message)) {
            try normalizer.normalizePhone(example.raw)
        }
    }

    @Test("a per-call region must be known")
    func unknownRegion() throws {
        #expect(throws: IdentityError(.unknownRegion, message: "unknown phone region \"XX\"; expected an ISO 3166-1 alpha-2 code such as US or DE")) {
            try IdentityNormalizer().normalizePhone("030 1234567", region: "XX")
        }
        #expect(try IdentityNormalizer().normalizePhone("030 1234567", region: "de") == "+49301234567")
    }

    @Test("quoted input in messages is cut at 64 characters")
    func longInputIsTruncated() throws {
        let raw = "+49 " + String(repeating: "1", count: 100)
        let error = try #require(throws: IdentityError.self) { try IdentityNormalizer().normalizePhone(raw) }
        #expect(error.message == "phone number \"\(raw.prefix(64))…\" is too long")
    }

    // MARK: the region table

    static let requiredRegions = [
        "US", "CA", "GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "LU", "CH", "AT", "PT", "SE", "NO", "DK", "FI",
        "PL", "CZ", "SK", "HU", "RO", "BG", "GR", "TR", "RU", "UA", "IL", "AE", "SA", "EG", "ZA", "NG", "KE", "MA",
        "IN", "PK", "BD", "CN", "HK", "TW", "JP", "KR", "SG", "MY", "TH", "VN", "ID", "PH", "AU", "NZ", "BR", "AR",
        "MX", "CL", "CO", "PE",
    ]

    @Test("the table covers the main markets", arguments: requiredRegions)
    func requiredRegion(_ code: String) throws {
        let region = try #require(PhoneRegion.named(code))
        #expect(region.code == code)
        #expect(PhoneRegion.named(code.lowercased()) == region)
        #expect(PhoneRegion.forCallingCode(region.callingCode).contains(region))
    }

    @Test("the table is consistent")
    func tableIsConsistent() {
        #expect(PhoneRegion.all.count >= 200)
        #expect(Set(PhoneRegion.all.map(\.code)).count == PhoneRegion.all.count, "region codes are unique")
        let callingCodes = Set(PhoneRegion.all.map(\.callingCode))
        for region in PhoneRegion.all {
            #expect(region.code.count == 2 && region.code.allSatisfy { $0.isASCII && $0.isUppercase }, "\(region.code)")
            #expect((1...3).contains(region.callingCode.count) && region.callingCode.allSatisfy(\.isWholeNumber), "\(region.code)")
            #expect(region.nationalLengths.lowerBound >= 4, "\(region.code)")
            #expect(region.callingCode.count + region.nationalLengths.upperBound <= 15, "\(region.code) exceeds E.164's 15 digits")
            #expect(region.trunkPrefix.map { !$0.isEmpty && $0.allSatisfy(\.isWholeNumber) } ?? true, "\(region.code)")
            #expect(region.internationalPrefixes.allSatisfy { $0.hasPrefix("0") || $0.hasPrefix("8") }, "\(region.code)")
            #expect(PhoneRegion.named(region.code) == region)
        }
        // Calling codes form a prefix code, so the first 1–3 digits of an international number pick one.
        for code in callingCodes {
            for other in callingCodes where other != code {
                #expect(!other.hasPrefix(code), "+\(code) is a prefix of +\(other)")
            }
        }
    }

    @Test("shared calling codes list the main region first")
    func sharedCallingCodes() throws {
        let nanp = PhoneRegion.forCallingCode("1")
        #expect(nanp.first?.code == "US")
        #expect(nanp.map(\.code).contains("CA"))
        #expect(nanp.allSatisfy { $0.nationalLengths == 10...10 && $0.trunkPrefix == "1" })
        #expect(PhoneRegion.forCallingCode("44").first?.code == "GB")
        #expect(PhoneRegion.forCallingCode("7").map(\.code) == ["RU", "KZ"])
        #expect(PhoneRegion.forCallingCode("39").first?.code == "IT")
        #expect(PhoneRegion.forCallingCode("999").isEmpty)
        #expect(PhoneRegion.forCallingCode(Substring("49")).map(\.code) == ["DE"])

        let match = try #require(PhoneRegion.matchingCallingCode("4930123456"))
        #expect(match.callingCode == "49")
        #expect(try #require(PhoneRegion.matchingCallingCode("3531234567")).callingCode == "353")
        #expect(try #require(PhoneRegion.matchingCallingCode("14155552671")).callingCode == "1")
        #expect(PhoneRegion.matchingCallingCode("999") == nil)
        #expect(PhoneRegion.matchingCallingCode("") == nil)
    }

    @Test("trunk prefixes follow the national plans")
    func trunkPrefixes() throws {
        #expect(try #require(PhoneRegion.named("DE")).trunkPrefix == "0")
        #expect(try #require(PhoneRegion.named("IT")).trunkPrefix == nil)
        #expect(try #require(PhoneRegion.named("US")).trunkPrefix == "1")
        #expect(try #require(PhoneRegion.named("RU")).trunkPrefix == "8")
        #expect(try #require(PhoneRegion.named("HU")).trunkPrefix == "06")
        #expect(try #require(PhoneRegion.named("ES")).trunkPrefix == nil)
        #expect(PhoneRegion.named(" gb ")?.callingCode == "44")
        #expect(PhoneRegion.named("XX") == nil)
        #expect(PhoneRegion.named("") == nil)
    }
}
