import RapportCore
import Testing

@Suite("Customer search: what typed text means")
struct CustomerSearchQueryTests {
    let germany = try! IdentityNormalizer(defaultRegion: "DE")
    let us = try! IdentityNormalizer(defaultRegion: "US")

    @Test("a phone number typed with spaces, national or international, becomes E.164 lookups")
    func phones() {
        let national = CustomerSearchQuery("030 1234 567", normalizer: germany)
        #expect(national.identities == [Identity(kind: .phone, value: "+49301234567")])
        #expect(national.identityPrefixes.map(\.prefix) == ["+49301234567"])
        #expect(national.namePrefix == nil)
        let partial = CustomerSearchQuery("030 12", normalizer: germany)
        #expect(partial.identityPrefixes.map(\.prefix) == ["+493012"])
        #expect(CustomerSearchQuery("+49 (30) 1234", normalizer: germany).identityPrefixes.map(\.prefix) == ["+49301234"])
        #expect(CustomerSearchQuery("0049 30 12", normalizer: germany).identityPrefixes.map(\.prefix) == ["+493012"])
        #expect(CustomerSearchQuery("011 44 20 7946", normalizer: us).identityPrefixes.map(\.prefix) == ["+44207946"])
        #expect(CustomerSearchQuery("(415) 555-01", normalizer: us).identityPrefixes.map(\.prefix) == ["+141555501", "+41555501"])
        #expect(CustomerSearchQuery("030", normalizer: germany).identityPrefixes.isEmpty, "too few digits to look up")
    }

    @Test("an email address, a qualified identity and a name are each looked up as such")
    func otherKinds() {
        let email = CustomerSearchQuery(" Ana@Example.COM ", normalizer: germany)
        #expect(email.identities == [Identity(kind: .email, value: "ana@example.com")])
        #expect(email.identityPrefixes == [.init(kind: .email, prefix: "ana@example.com")])
        #expect(email.namePrefix == nil)
        let qualified = CustomerSearchQuery("external:shopify:10023", normalizer: germany)
        #expect(qualified.identities == [Identity(kind: .external, value: "shopify:10023")])
        let name = CustomerSearchQuery("王小", normalizer: germany)
        #expect(name.identities.isEmpty)
        #expect(name.namePrefix == "王小")
        #expect(CustomerSearchQuery("Lima GmbH", normalizer: germany).namePrefix == "lima gmbh")
        #expect(CustomerSearchQuery("   ", normalizer: germany) == CustomerSearchQuery("", normalizer: germany))
    }
}
