@testable import RapportCore
import Testing

@Suite struct CustomerInputTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")

    @Test func createNormalizesIdentitiesAndOrdersThemByKind() throws {
        let body = try JSONParser.parse(#"""
            {"name": "Ana Lima", "phones": ["030 1234567"], "emails": [" Ana@Example.COM ", "ana@example.com"],
             "identities": ["social:Twitter:@AnaL", "external:shopify:A-1"], "attributes": {"tier": "gold"}}
            """#)
        let customer = try NewCustomer.read(body, normalizer: normalizer)
        #expect(customer.identities.map(\.qualified) == [
            "email:ana@example.com", "phone:+49301234567", "social:twitter:anal", "external:shopify:A-1",
        ])
        #expect(customer.attributes == ["tier": "gold"])
        #expect(customer.kind == .person)
    }

    @Test func createReportsEveryBadFieldByPath() throws {
        let body = try JSONParser.parse(#"""
            {"name": 5, "emails": ["ok@example.com", "broken@"], "kind": "robot", "addresses": [{"country": "Germany"}],
             "attributes": {"bad key": 1}, "nickname": "x"}
            """#)
        let failure = #expect(throws: ValidationFailure.self) { try NewCustomer.read(body, normalizer: normalizer) }
        let fields = Set(failure?.issues.map(\.field) ?? [])
        #expect(fields == ["name", "emails[1]", "kind", "addresses[0].country", "attributes.bad key", "nickname"])
    }

    @Test func nameFallsBackToGivenAndFamilyName() throws {
        let customer = try NewCustomer.read(["given_name": "Ana", "family_name": "Lima"], normalizer: normalizer)
        #expect(customer.name == "Ana Lima")
        #expect(throws: ValidationFailure.self) { try NewCustomer.read(["emails": ["a@b.de"]], normalizer: normalizer) }
    }

    @Test func mergePatchClearsSetsAndMergesAttributes() throws {
        let now = Timestamp(microseconds: 1_000_000)
        let customer = NewCustomer(
            name: "Ana", givenName: "Ana", identities: [Identity(kind: .email, value: "a@example.com"), Identity(kind: .device, value: "d1")],
            company: "ACME", attributes: ["tier": "gold", "score": 3]
        ).customer(id: "cus_1", at: now)
        let patch = try CustomerPatch.read(try JSONParser.parse(#"""
            {"given_name": null, "company": "Globex", "emails": ["b@example.com"], "attributes": {"tier": null, "vip": true}}
            """#), normalizer: normalizer)
        var record = VersionedCustomer(customer: customer, versions: CustomerVersions())
        let provenance = Provenance(version: FieldVersion(timestamp: HybridTimestamp(milliseconds: 5), sourceID: "key_1"))
        let changed = record.apply(patch.changes(against: customer), by: provenance)
        let next = record.customer
        #expect(next.givenName == nil)
        #expect(next.company == "Globex")
        #expect(next.identities.map(\.qualified) == ["email:b@example.com", "device:d1"])
        #expect(next.attributes == ["score": 3, "vip": true])
        #expect(Set(changed) == ["given_name", "company", "emails", "identities", "attributes"])
    }

    @Test func patchThatChangesNothingReportsNoFields() throws {
        let customer = NewCustomer(name: "Ana").customer(id: "cus_1", at: Timestamp(microseconds: 0))
        let patch = try CustomerPatch.read(["name": "Ana"], normalizer: normalizer)
        #expect(patch.changes(against: customer).isEmpty)
    }

    @Test func interactionNeedsExactlyOneParty() throws {
        #expect(throws: ValidationFailure.self) {
            try NewInteraction.read(["channel_id": "chn_1"], normalizer: normalizer)
        }
        #expect(throws: ValidationFailure.self) {
            try NewInteraction.read(["channel_id": "chn_1", "customer_id": "cus_1", "identity": "email:a@b.de"], normalizer: normalizer)
        }
        let interaction = try NewInteraction.read(
            ["channel_id": "chn_1", "identity": "phone:+49 30 1234567", "kind": "call", "occurred_at": "2026-11-22T10:00:00+01:00"],
            normalizer: normalizer)
        #expect(interaction.party == .identity(Identity(kind: .phone, value: "+49301234567")))
        #expect(interaction.occurredAt?.rfc3339 == "2026-11-22T09:00:00.000Z")
    }

    @Test func attributeFilterCandidatesMatchNumbersAndStrings() {
        #expect(CustomerFilter.candidates(for: "5") == [#""5""#, "5"])
        #expect(CustomerFilter.candidates(for: "gold") == [#""gold""#])
        #expect(CustomerFilter.candidates(for: "true") == [#""true""#, "true"])
    }
}
