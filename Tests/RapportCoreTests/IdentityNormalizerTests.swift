import Foundation
import Testing
@testable import RapportCore

@Suite("Identity normalization")
struct IdentityNormalizerTests {
    let normalizer: IdentityNormalizer

    init() throws {
        normalizer = try IdentityNormalizer()
    }

    // MARK: email

    @Test("email addresses are trimmed and lowercased, nothing else", arguments: [
        (" Ana@Example.COM ", "ana@example.com"),
        ("ana.maria+news@example.co.uk", "ana.maria+news@example.co.uk"),
        ("ANA_O'Neil@Sub.Example.org", "ana_o'neil@sub.example.org"),
        ("first.last@example.com", "first.last@example.com"),
        ("a@b.co", "a@b.co"),
        ("x!#$%&'*+-/=?^_`{|}~@example.com", "x!#$%&'*+-/=?^_`{|}~@example.com"),
        ("ana@mail-1.example.com", "ana@mail-1.example.com"),
        ("\u{FEFF}ana@example.com\r\n", "ana@example.com"),
        ("\tana@example.com\u{00A0}", "ana@example.com"),
        ("ana@münchen.de", "ana@münchen.de"),
        ("Ana@MÜNCHEN.DE", "ana@münchen.de"),
        ("ana@xn--mnchen-3ya.de", "ana@münchen.de"),
        ("ana@XN--MNCHEN-3YA.DE", "ana@münchen.de"),
        ("ana@mu\u{308}nchen.de", "ana@münchen.de"),
        ("x@xn--bcher-kva.example", "x@bücher.example"),
        ("ana@example.xn--p1ai", "ana@example.рф"),
        ("ana@例え.jp", "ana@例え.jp"),
        ("ana@例え。jp", "ana@例え.jp"),
        ("ana@ไทย.example", "ana@ไทย.example"),
        ("ana@123.example.com", "ana@123.example.com"),
    ])
    func validEmail(raw: String, expected: String) throws {
        let value = try normalizer.normalizeEmail(raw)
        #expect(value == expected)
        // Equal as Swift strings is not enough for a database key: the bytes must match too.
        #expect(Array(value.utf8) == Array(expected.precomposedStringWithCanonicalMapping.utf8))
        #expect(try normalizer.normalize(.email, raw) == Identity(kind: .email, value: expected))
    }

    @Test("plus tags and dots are kept: they may be different people")
    func emailIsNotProviderRewritten() throws {
        let plain = try normalizer.normalizeEmail("ana.maria@gmail.com")
        #expect(try normalizer.normalizeEmail("anamaria@gmail.com") != plain)
        #expect(try normalizer.normalizeEmail("ana.maria+crm@gmail.com") != plain)
    }

    @Test("bad email addresses are rejected with a reason", arguments: [
        ("ana@", "\"ana@\" is not a valid email address: nothing after \"@\""),
        ("", "email address is empty"),
        ("   ", "email address is empty"),
        ("ana", "\"ana\" is not a valid email address: it has no \"@\""),
        ("ana@@example.com", "\"ana@@example.com\" is not a valid email address: it has more than one \"@\""),
        ("a@b@example.com", "\"a@b@example.com\" is not a valid email address: it has more than one \"@\""),
        ("@example.com", "\"@example.com\" is not a valid email address: nothing before \"@\""),
        (".ana@example.com", "\".ana@example.com\" is not a valid email address: the part before \"@\" has a dot at its start or end, or two dots in a row"),
        ("ana.@example.com", "\"ana.@example.com\" is not a valid email address: the part before \"@\" has a dot at its start or end, or two dots in a row"),
        ("an..a@example.com", "\"an..a@example.com\" is not a valid email address: the part before \"@\" has a dot at its start or end, or two dots in a row"),
        ("ana maria@example.com", "\"ana maria@example.com\" is not a valid email address: the part before \"@\" contains \" \""),
        ("\"ana\"@example.com", "\"\\\"ana\\\"@example.com\" is not a valid email address: the part before \"@\" contains \"\\\"\""),
        ("İlkay@example.com", "\"İlkay@example.com\" is not a valid email address: the part before \"@\" contains \"İ\""),
        ("anä@example.com", "\"anä@example.com\" is not a valid email address: the part before \"@\" contains \"ä\""),
        ("ana@localhost", "\"ana@localhost\" is not a valid email address: the domain has no dot"),
        ("ana@example..com", "\"ana@example..com\" is not a valid email address: the domain has an empty label (two dots in a row, or a dot at its start or end)"),
        ("ana@.example.com", "\"ana@.example.com\" is not a valid email address: the domain has an empty label (two dots in a row, or a dot at its start or end)"),
        ("ana@example.com.", "\"ana@example.com.\" is not a valid email address: the domain has an empty label (two dots in a row, or a dot at its start or end)"),
        ("ana@-example.com", "\"ana@-example.com\" is not a valid email address: the domain label \"-example\" starts or ends with \"-\""),
        ("ana@example-.com", "\"ana@example-.com\" is not a valid email address: the domain label \"example-\" starts or ends with \"-\""),
        ("ana@exa_mple.com", "\"ana@exa_mple.com\" is not a valid email address: the domain contains \"_\""),
        ("ana@exam ple.com", "\"ana@exam ple.com\" is not a valid email address: the domain contains \" \""),
        ("ana@example.123", "\"ana@example.123\" is not a valid email address: the domain ends in a number"),
        ("ana@xn--.com", "\"ana@xn--.com\" is not a valid email address: the domain label \"xn--\" is not valid punycode"),
        ("ana@xn--abc-.com", "\"ana@xn--abc-.com\" is not a valid email address: the domain label \"xn--abc-\" is not valid punycode"),
        ("ana@xn--ab!.com", "\"ana@xn--ab!.com\" is not a valid email address: the domain label \"xn--ab!\" is not valid punycode"),
        ("ana\u{0}@example.com", "\"ana\\0@example.com\" is not a valid email address: it contains control characters"),
        ("ana@exa\u{200B}mple.com", "\"ana@exa\u{200B}mple.com\" is not a valid email address: it contains control characters"),
    ])
    func invalidEmail(raw: String, message: String) {
        #expect(throws: IdentityError(.invalidEmail, message: message)) {
            try normalizer.normalizeEmail(raw)
        }
    }

    @Test("email length limits: 64 bytes before @, 63 per label, 254 in all")
    func emailLengths() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try normalizer.normalizeEmail("\(local64)@example.com") == "\(local64)@example.com")
        let local65 = String(repeating: "a", count: 65)
        let tooLongLocal = try #require(throws: IdentityError.self) { try normalizer.normalizeEmail("\(local65)@example.com") }
        #expect(tooLongLocal.message.hasSuffix("the part before \"@\" is longer than 64 bytes"))
        // The quoted input is cut at 64 characters.
        #expect(tooLongLocal.message.hasPrefix("\"\(local64)…\" is not a valid email address"))

        let label63 = String(repeating: "b", count: 63)
        #expect(try normalizer.normalizeEmail("ana@\(label63).com") == "ana@\(label63).com")
        let label64 = String(repeating: "b", count: 64)
        let tooLongLabel = try #require(throws: IdentityError.self) { try normalizer.normalizeEmail("ana@\(label64).com") }
        #expect(tooLongLabel.message.hasSuffix("is longer than 63 bytes"))

        // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 bytes.
        let longest = "\(local64)@\(label63).\(label63).\(String(repeating: "c", count: 61))"
        #expect(longest.utf8.count == 254)
        #expect(try normalizer.normalizeEmail(longest) == longest)
        let tooLong = try #require(throws: IdentityError.self) { try normalizer.normalizeEmail(longest + "c") }
        #expect(tooLong.message.hasSuffix("it is longer than 254 bytes"))
        #expect(tooLong.code == .invalidEmail)
    }

    // MARK: social

    @Test("social handles become platform:handle, lowercased, without one leading @", arguments: [
        ("twitter:@Ana", "twitter:ana"),
        ("Twitter:Ana", "twitter:ana"),
        (" Instagram : @Ana.Maria_99 ", "instagram:ana.maria_99"),
        ("mastodon:@Ana@Mastodon.Social", "mastodon:ana@mastodon.social"),
        ("x.com:ana", "x.com:ana"),
        ("tik-tok:@Ana_B", "tik-tok:ana_b"),
        ("vk:Анна", "vk:анна"),
        ("twitter:ana", "twitter:ana"),
    ])
    func validSocial(raw: String, expected: String) throws {
        #expect(try normalizer.normalize(.social, raw) == Identity(kind: .social, value: expected))
    }

    @Test("bad social handles are rejected", arguments: [
        ("", IdentityError.Code.invalidSocial, "social handle is empty"),
        ("ana", .malformed, "social handle \"ana\" must be written as platform:handle, e.g. twitter:ana"),
        (":ana", .invalidSocial, "social handle \":ana\" has an empty platform name"),
        ("twitter:", .invalidSocial, "social handle \"twitter:\" has an empty handle"),
        ("twitter: @ ", .invalidSocial, "social handle \"twitter: @\" has an empty handle"),
        ("twit ter:ana", .invalidSocial, "social handle \"twit ter:ana\" has an invalid platform name; use lowercase letters, digits and . _ - starting with a letter or digit"),
        ("_twitter:ana", .invalidSocial, "social handle \"_twitter:ana\" has an invalid platform name; use lowercase letters, digits and . _ - starting with a letter or digit"),
        ("twitter:ana maria", .invalidSocial, "social handle \"twitter:ana maria\" has whitespace in the handle"),
        ("twitter:an\u{200B}a", .invalidSocial, "social handle \"twitter:an\u{200B}a\" contains control characters"),
        ("telegram:@@ana", .invalidSocial, "social handle \"telegram:@@ana\" has a handle that starts with \"@@\""),
        ("twitter:ana\u{1B}[31m", .invalidSocial, "social handle \"twitter:ana\\u{1B}[31m\" contains control characters"),
    ])
    func invalidSocial(raw: String, code: IdentityError.Code, message: String) {
        #expect(throws: IdentityError(code, message: message)) {
            try normalizer.normalize(.social, raw)
        }
    }

    @Test("social length limits: platform 32, handle 100")
    func socialLengths() throws {
        let platform32 = String(repeating: "p", count: 32)
        let handle100 = String(repeating: "h", count: 100)
        #expect(try normalizer.normalize(.social, "\(platform32):@\(handle100)").value == "\(platform32):\(handle100)")
        let longPlatform = try #require(throws: IdentityError.self) { try normalizer.normalize(.social, "\(platform32)p:ana") }
        #expect(longPlatform.message.hasSuffix("has a platform name longer than 32 characters"))
        let longHandle = try #require(throws: IdentityError.self) { try normalizer.normalize(.social, "twitter:\(handle100)h") }
        #expect(longHandle.message.hasSuffix("has a handle longer than 100 characters"))
    }

    // MARK: external

    @Test("external ids become system:id with the id's case kept", arguments: [
        ("shopify:10023", "shopify:10023"),
        ("Shopify:10023", "shopify:10023"),
        ("salesforce:003XY000001AbCdEFG", "salesforce:003XY000001AbCdEFG"),
        (" stripe : cus_ABC123 ", "stripe:cus_ABC123"),
        ("hubspot.crm:contact/42", "hubspot.crm:contact/42"),
        ("erp:a:b", "erp:a:b"),
        ("legacy-db:Kunde Nr. 7", "legacy-db:Kunde Nr. 7"),
    ])
    func validExternal(raw: String, expected: String) throws {
        #expect(try normalizer.normalize(.external, raw) == Identity(kind: .external, value: expected))
    }

    @Test("bad external ids are rejected", arguments: [
        ("", IdentityError.Code.invalidExternal, "external id is empty"),
        ("10023", .malformed, "external id \"10023\" must be written as system:id, e.g. shopify:10023"),
        ("shopify:", .invalidExternal, "external id \"shopify:\" has an empty id"),
        (":10023", .invalidExternal, "external id \":10023\" has an empty system name"),
        ("shop ify:1", .invalidExternal, "external id \"shop ify:1\" has an invalid system name; use lowercase letters, digits and . _ - starting with a letter or digit"),
        ("shopify:10\u{0}23", .invalidExternal, "external id \"shopify:10\\023\" contains control characters"),
        ("shopify:10\n23", .invalidExternal, "external id \"shopify:10\\n23\" contains control characters"),
    ])
    func invalidExternal(raw: String, code: IdentityError.Code, message: String) {
        #expect(throws: IdentityError(code, message: message)) {
            try normalizer.normalize(.external, raw)
        }
    }

    @Test("external length limits: system 64, id 200")
    func externalLengths() throws {
        let system64 = String(repeating: "s", count: 64)
        let id200 = String(repeating: "I", count: 200)
        #expect(try normalizer.normalize(.external, "\(system64):\(id200)").value == "\(system64):\(id200)")
        #expect(throws: IdentityError.self) { try normalizer.normalize(.external, "\(system64)s:1") }
        let longID = try #require(throws: IdentityError.self) { try normalizer.normalize(.external, "erp:\(id200)I") }
        #expect(longID.message.hasSuffix("has an id longer than 200 characters"))
    }

    // MARK: device

    @Test("device ids are trimmed and lowercased", arguments: [
        ("ABC-123", "abc-123"),
        (" 3F2A9C1E-0B7D-4E3A-9F00-1234567890AB ", "3f2a9c1e-0b7d-4e3a-9f00-1234567890ab"),
        ("android:ad.id_01", "android:ad.id_01"),
        ("x", "x"),
    ])
    func validDevice(raw: String, expected: String) throws {
        #expect(try normalizer.normalize(.device, raw) == Identity(kind: .device, value: expected))
    }

    @Test("bad device ids are rejected", arguments: [
        ("", "device id is empty"),
        ("  ", "device id is empty"),
        ("abc 123", "device id \"abc 123\" contains \" \"; only letters, digits and . _ : - are allowed"),
        ("abc/123", "device id \"abc/123\" contains \"/\"; only letters, digits and . _ : - are allowed"),
        ("gerät", "device id \"gerät\" contains \"ä\"; only letters, digits and . _ : - are allowed"),
        ("abc\u{7}", "device id \"abc\\u{07}\" contains control characters"),
        (String(repeating: "d", count: 201), "device id \"\(String(repeating: "d", count: 64))…\" is longer than 200 characters"),
    ])
    func invalidDevice(raw: String, message: String) {
        #expect(throws: IdentityError(.invalidDevice, message: message)) {
            try normalizer.normalize(.device, raw)
        }
    }

    @Test("a device id of 200 characters is accepted")
    func deviceLength() throws {
        let id = String(repeating: "D", count: 200)
        #expect(try normalizer.normalize(.device, id).value == id.lowercased())
    }

    // MARK: parse

    @Test("parse reads kind:value with the kind in any case", arguments: [
        ("email:Ana@Example.com", Identity(kind: .email, value: "ana@example.com")),
        ("EMAIL:ana@example.com", Identity(kind: .email, value: "ana@example.com")),
        (" Email : ana@example.com ", Identity(kind: .email, value: "ana@example.com")),
        ("phone:+49 30 1234567", Identity(kind: .phone, value: "+49301234567")),
        ("Phone:(415) 555-2671", Identity(kind: .phone, value: "+14155552671")),
        ("phone:tel:+44-20-7946-0958", Identity(kind: .phone, value: "+442079460958")),
        ("social:twitter:@Ana", Identity(kind: .social, value: "twitter:ana")),
        ("external:shopify:10023", Identity(kind: .external, value: "shopify:10023")),
        ("device:ABC-123", Identity(kind: .device, value: "abc-123")),
    ])
    func parse(qualified: String, expected: Identity) throws {
        #expect(try normalizer.parse(qualified) == expected)
    }

    @Test("parse rejects unknown kinds and text without a kind", arguments: [
        ("fax:123", IdentityError.Code.unknownKind, "unknown identity kind \"fax\"; expected one of email, phone, social, external, device"),
        (":123", .unknownKind, "unknown identity kind \"\"; expected one of email, phone, social, external, device"),
        ("ana@example.com", .malformed, "identity \"ana@example.com\" must be written as kind:value, e.g. email:ana@example.com"),
        ("", .malformed, "identity is empty; write it as kind:value, e.g. email:ana@example.com"),
        ("email:", .invalidEmail, "email address is empty"),
        ("email:ana@", .invalidEmail, "\"ana@\" is not a valid email address: nothing after \"@\""),
        ("phone:12", .invalidPhone, "phone number \"12\" is too short"),
        ("social:ana", .malformed, "social handle \"ana\" must be written as platform:handle, e.g. twitter:ana"),
    ])
    func parseErrors(qualified: String, code: IdentityError.Code, message: String) {
        #expect(throws: IdentityError(code, message: message)) {
            try normalizer.parse(qualified)
        }
    }

    @Test("parse uses the normalizer's default region for national phone numbers")
    func parseUsesDefaultRegion() throws {
        let german = try IdentityNormalizer(defaultRegion: "de")
        #expect(german.defaultRegion == "DE")
        #expect(try german.parse("phone:030 1234567").value == "+49301234567")
        #expect(normalizer.defaultRegion == "US")
    }

    // MARK: idempotence and round trips

    static let samples: [(IdentityKind, String)] = [
        (.email, " Ana@Example.COM "), (.email, "ana@xn--mnchen-3ya.de"), (.email, "ilkay@İstanbul.example"),
        (.email, "ana@mu\u{308}nchen.de"), (.email, "ANA.Maria+Tag@Sub.Example.ORG"),
        (.phone, "(415) 555-2671"), (.phone, "+44 (0)20 7946 0958"), (.phone, "0049 30 1234567"),
        (.phone, "+39 06 1234 5678"), (.phone, "+52 1 55 1234 5678"), (.phone, "+7 812 123 45 67"),
        (.social, "Twitter:@Ana"), (.social, "mastodon:@Ana@Mastodon.Social"), (.social, "telegram:@Ana_99"),
        (.external, " Stripe : cus_ABC123 "), (.external, "erp:a:b"),
        (.device, " 3F2A9C1E-0B7D "),
    ]

    @Test("normalizing a normalized value gives the same value", arguments: samples)
    func idempotent(kind: IdentityKind, raw: String) throws {
        let once = try normalizer.normalize(kind, raw)
        let twice = try normalizer.normalize(kind, once.value)
        #expect(twice == once)
        #expect(Array(twice.value.utf8) == Array(once.value.utf8))
        // E.164 does not depend on the default region.
        if kind == .phone {
            #expect(try IdentityNormalizer(defaultRegion: "JP").normalize(kind, once.value) == once)
        }
    }

    @Test("parse(identity.qualified) gives the identity back", arguments: samples)
    func qualifiedRoundTrip(kind: IdentityKind, raw: String) throws {
        let identity = try normalizer.normalize(kind, raw)
        #expect(try normalizer.parse(identity.qualified) == identity)
        #expect(identity.qualified == "\(kind.rawValue):\(identity.value)")
    }

    @Test("random input never breaks idempotence (fixed seed)", arguments: IdentityKind.allCases)
    func randomInputIsIdempotent(kind: IdentityKind) throws {
        let seed: UInt64 = 0x5EED_1D3E
        var random = IdentityFuzzGenerator(seed: seed ^ UInt64(IdentityKind.allCases.firstIndex(of: kind) ?? 0))
        // Phone numbers need mostly digits to be valid now and then; the rest needs the characters that matter to each rule.
        let alphabet = kind == .phone
            ? Array("0123456789012345678901234567890123456789 +-()./x#\u{00A0}١٢")
            : Array("aZ09 5+-._@/#xXüİ\u{00A0}\u{301}")
        let normalizers = try ["US", "DE", "IT", "RU", "MX", "BR"].map { try IdentityNormalizer(defaultRegion: $0) }
        var accepted = 0
        for _ in 0..<5_000 {
            func text(_ maxLength: UInt64) -> String {
                let length = Int(random.next() % maxLength)
                return String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            }
            let raw = switch kind {
            case .email: "\(text(8))@\(text(8)).\(text(4))"
            case .social, .external: "\(text(6)):\(text(12))"
            case .phone, .device: text(20)
            }
            let normalizer = normalizers[Int(random.next() % UInt64(normalizers.count))]
            do {
                let once = try normalizer.normalize(kind, raw)
                accepted += 1
                let twice = try normalizer.normalize(kind, once.value)
                #expect(twice == once, "seed \(seed): \(raw.debugDescription) in \(normalizer.defaultRegion)")
                if kind == .phone {
                    #expect(once.value.first == "+" && once.value.dropFirst().allSatisfy(\.isWholeNumber) && once.value.count <= 16)
                }
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 0, "the generator should produce some valid \(kind) values")
    }

    @Test("punycode decodes the samples of RFC 3492 and common TLDs", arguments: [
        ("ihqwcrb4cv8a8dqg056pqjye", "他们为什么不说中文"),
        ("ihqwctvzc91f659drss3x8bo0yb", "他們爲什麽不說中文"),
        ("3B-ww4c5e180e575a65lsy2b", "3年B組金八先生"),
        ("-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n", "安室奈美恵-with-SUPER-MONKEYS"),
        ("mnchen-3ya", "münchen"),
        ("p1ai", "рф"),
        ("fiqs8s", "中国"),
    ])
    func punycode(encoded: String, decoded: String) {
        #expect(Punycode.decode(encoded) == decoded)
    }

    @Test("punycode refuses what is not punycode", arguments: ["zzzzzzzzzzzzzzzzzzzzzzzzzzzz", "99999999999999999", "ü", "ab!"])
    func badPunycode(encoded: String) {
        #expect(Punycode.decode(encoded) == nil)
    }

    // MARK: types

    @Test("Identity prints, compares and codes as expected")
    func identityValue() throws {
        let identity = Identity(kind: .social, value: "twitter:ana")
        #expect(identity.qualified == "social:twitter:ana")
        #expect(identity.description == "social:twitter:ana")
        #expect("\(identity)" == "social:twitter:ana")
        #expect(identity == Identity(kind: .social, value: "twitter:ana"))
        #expect(identity != Identity(kind: .external, value: "twitter:ana"))
        #expect(Set([identity, Identity(kind: .social, value: "twitter:ana")]).count == 1)

        let json = try JSONEncoder().encode(identity)
        #expect(try JSONDecoder().decode(Identity.self, from: json) == identity)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(object == ["kind": "social", "value": "twitter:ana"])
    }

    @Test("IdentityKind names and case-insensitive lookup")
    func kinds() {
        #expect(IdentityKind.allCases.map(\.rawValue) == ["email", "phone", "social", "external", "device"])
        #expect(IdentityKind(caseInsensitive: " PHONE ") == .phone)
        #expect(IdentityKind(caseInsensitive: "fax") == nil)
    }

    @Test("IdentityError messages quote input safely")
    func errorQuoting() {
        let error = IdentityError(.invalidPhone, message: "phone number \"12\" is too short")
        #expect(error.description == error.message)
        #expect(error == IdentityError(.invalidPhone, message: "phone number \"12\" is too short"))
        #expect(error != IdentityError(.invalidEmail, message: "phone number \"12\" is too short"))
        #expect(IdentityError.quoted("ana") == "\"ana\"")
        #expect(IdentityError.quoted("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"")
        #expect(IdentityError.quoted(String(repeating: "x", count: 64)) == "\"\(String(repeating: "x", count: 64))\"")
        #expect(IdentityError.quoted(String(repeating: "x", count: 65)) == "\"\(String(repeating: "x", count: 64))…\"")
        #expect(IdentityError.Code.invalidEmail.description == "invalid_email")
    }

    @Test("an unknown default region is refused with its name")
    func unknownDefaultRegion() {
        #expect(throws: IdentityError(.unknownRegion, message: "unknown phone region \"ZZ\"; expected an ISO 3166-1 alpha-2 code such as US or DE")) {
            try IdentityNormalizer(defaultRegion: "ZZ")
        }
    }
}

/// A small seeded generator (SeededRandom), so that a failing random case can be replayed.
private struct IdentityFuzzGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The byte-by-byte path for plain ASCII addresses accepts only what the full check accepts, as it would write it.
@Suite struct EmailPlainASCIITests {
    @Test("plain addresses take the byte path and come out as the full check writes them")
    func plainAddresses() throws {
        for raw in ["ana@example.com", "Ana.Lima+News@Example-Shop.CO.uk", "a@b.co", "x_y!#$%&'*/=?^`{|}~-@a1.b2c", "a@1.com"] {
            let plain = try #require(EmailNormalizer.plainASCII(raw), "\(raw)")
            #expect(plain == (try EmailNormalizer.checked(raw)))
        }
    }

    @Test("anything the byte path does not vouch for goes to the full check")
    func passedOn() {
        for raw in [" ana@example.com", "ana@example.com ", "ana@@example.com", "@example.com", "ana@", "ana@example", ".ana@example.com",
                    "ana.@example.com", "an..a@example.com", "ana@-example.com", "ana@example-.com", "ana@example..com", "ana@example.123",
                    "ana@xn--bcher-kva.example", "ana@XN--bcher-kva.example", "anä@example.com", "ana@exämple.com", "ana@example.com\u{3002}",
                    "ana@ex_ample.com", "a\"b@example.com", String(repeating: "a", count: 65) + "@example.com",
                    "ana@" + String(repeating: "b", count: 64) + ".com", "ana@" + String(repeating: "b.", count: 130) + "com"] {
            #expect(EmailNormalizer.plainASCII(raw) == nil, "\(raw)")
        }
    }

    @Test("over many random addresses, whatever the byte path accepts the full check accepts, written the same")
    func agreesWithTheFullCheck() {
        var generator = IdentityFuzzGenerator(seed: 2026_12_06)
        // Mostly what addresses are made of, with a few of each kind of fault among it.
        let localPieces = ["ana", "Z", "0", "ana", "B", "7", ".", "-", "_", "+", "é", " ", "\"", "~"]
        let labelPieces = ["mail", "Z", "9", "shop", "co", "1", "-", "xn--", "XN--", "é", "_"]
        let separators = [".", ".", ".", ".", ".", ".", "..", "\u{3002}", "@"]
        func pieces(_ from: [String], _ count: ClosedRange<Int>) -> String {
            (0..<Int.random(in: count, using: &generator)).map { _ in from.randomElement(using: &generator)! }.joined()
        }
        var accepted = 0
        for _ in 0..<20_000 {
            var raw = pieces(localPieces, 1...3) + "@" + pieces(labelPieces, 1...2)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                raw += separators.randomElement(using: &generator)! + pieces(labelPieces, 1...2)
            }
            guard let plain = EmailNormalizer.plainASCII(raw) else { continue }
            accepted += 1
            #expect(plain == (try? EmailNormalizer.checked(raw)), "\(raw)")
        }
        #expect(accepted > 300, "the generator makes enough valid addresses to compare")
    }
}
