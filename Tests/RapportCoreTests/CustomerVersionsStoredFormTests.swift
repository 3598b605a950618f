@testable import RapportCore
import Testing

@Suite("Customer versions: the compact stored form of a customer written whole")
struct CustomerVersionsStoredFormTests {
    static let write = Provenance(version: FieldVersion(timestamp: HybridTimestamp(milliseconds: 1_796_478_753_527, counter: 2),
                                                        sourceID: "chn_web"),
                                  channelID: "chn_web", actorID: "key_1")

    static let newCustomers: [NewCustomer] = [
        NewCustomer(name: "Ana"),
        NewCustomer(kind: .organization, name: "Lima Ltd", identities: [Identity(kind: .email, value: "info@lima.example")],
                    company: "Lima Ltd", lifecycleStage: .lead),
        NewCustomer(name: "Ana Lima", givenName: "Ana", familyName: "Lima",
                    identities: [Identity(kind: .email, value: "ana@example.com"), Identity(kind: .email, value: "ana.lima@example.com"),
                                 Identity(kind: .phone, value: "+14155552671"), Identity(kind: .external, value: "crm:7")],
                    addresses: [Address(city: "Berlin"), Address(line1: "1 Rue", city: "Lyon", postalCode: "69001")],
                    company: "Lima", ownerID: "usr_1", attributes: ["tier": "gold", "score": 7, "vip": true]),
    ]

    @Test("a customer created whole is stored as one provenance and read back to the same versions", arguments: newCustomers)
    func wholeRoundTrips(new: NewCustomer) throws {
        let record = new.versioned(id: "cus_1", at: Timestamp(microseconds: 5), by: Self.write)
        let stored = CustomerVersions.storedForm(ofCreated: record, from: new, by: Self.write)
        #expect(stored == ["whole": Self.write.json])
        let text = stored.jsonString
        let read = CustomerVersions(stored: try JSONParser.parse(text), of: record.customer)
        #expect(read == record.versions)
        #expect(text.utf8.count < record.versions.json.jsonString.utf8.count)
    }

    @Test("identities given out of the customer's order rank differently from it: stored in full, read back the same")
    func outOfOrderIsFull() throws {
        let new = NewCustomer(name: "Ana", identities: [Identity(kind: .phone, value: "+14155552671"),
                                                        Identity(kind: .email, value: "ana@example.com")])
        let record = new.versioned(id: "cus_1", at: Timestamp(microseconds: 5), by: Self.write)
        let stored = CustomerVersions.storedForm(ofCreated: record, from: new, by: Self.write)
        #expect(stored == record.versions.json)
        #expect(CustomerVersions(stored: try JSONParser.parse(stored.jsonString), of: record.customer) == record.versions)
        // The compact form would have read back other ranks: that is why it is not used here.
        #expect(CustomerVersions(whole: record.customer, by: Self.write) != record.versions)
    }

    @Test("the full form reads back as before, whatever the customer")
    func fullFormReads() throws {
        let record = Self.newCustomers[2].versioned(id: "cus_1", at: Timestamp(microseconds: 5), by: Self.write)
        var later = record
        let next = Provenance(version: FieldVersion(timestamp: HybridTimestamp(milliseconds: 1_796_478_760_000), sourceID: "chn_app"),
                              channelID: "chn_app")
        later.apply([.company("Lima GmbH")], by: next)
        #expect(CustomerVersions(stored: try JSONParser.parse(later.versions.json.jsonString), of: later.customer) == later.versions)
        #expect(CustomerVersions(whole: later.customer, by: Self.write) != later.versions)
    }
}
