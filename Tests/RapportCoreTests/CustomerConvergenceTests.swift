@testable import RapportCore
import Testing

@Suite("Customer convergence")
struct CustomerConvergenceTests {
    static let base = Customer(id: "cus_1", kind: .person, name: "Ana",
                               createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))

    static func provenance(_ milliseconds: Int64, counter: UInt32 = 0, source: String = "web") -> Provenance {
        Provenance(version: FieldVersion(timestamp: HybridTimestamp(milliseconds: milliseconds, counter: counter), sourceID: source),
                   channelID: source, actorID: "key_\(source)")
    }

    struct Write: CustomStringConvertible {
        var changes: [CustomerFieldChange]
        var provenance: Provenance
        var description: String { "\(provenance.version.timestamp)/\(provenance.version.sourceID): \(changes)" }
    }

    static func randomWrite(using random: inout SeededRandom) -> Write {
        let provenance = provenance(Int64.random(in: 1...6, using: &random), counter: UInt32.random(in: 0...1, using: &random),
                                    source: ["web", "store", "app"].randomElement(using: &random)!)
        let emails = ["a@example.com", "b@example.com", "c@example.com"].map { Identity(kind: .email, value: $0) }
        let addresses = [Address(city: "Berlin"), Address(city: "Lyon", postalCode: "69001")]
        var changes: [CustomerFieldChange] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let name = ["Ana", "Anna", "Ana Lima"].randomElement(using: &random)!
            switch Int.random(in: 0..<9, using: &random) {
            case 0: changes.append(.name(name))
            case 1: changes.append(.givenName(Bool.random(using: &random) ? nil : name))
            case 2: changes.append(.lifecycleStage(LifecycleStage.allCases.randomElement(using: &random)))
            case 3: changes.append(.attribute(["tier", "store"].randomElement(using: &random)!,
                                              Bool.random(using: &random) ? nil : .string(name)))
            case 4, 5: changes.append(.addIdentity(emails.randomElement(using: &random)!, rank: Int.random(in: 0...2, using: &random)))
            case 6: changes.append(.removeIdentity(emails.randomElement(using: &random)!))
            case 7: changes.append(.addAddress(addresses.randomElement(using: &random)!, rank: Int.random(in: 0...1, using: &random)))
            default: changes.append(.removeAddress(addresses.randomElement(using: &random)!))
            }
        }
        return Write(changes: changes, provenance: provenance)
    }

    @Test func anyOrderWithDuplicatesGivesTheIdenticalCustomer() {
        let seed: UInt64 = 0x4355_5354_4F4D_4552
        var random = SeededRandom(seed: seed)
        for schedule in 0..<2_000 {
            let writes = (0..<Int.random(in: 1...12, using: &random)).map { _ in Self.randomWrite(using: &random) }
            var reference = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
            writes.forEach { reference.apply($0.changes, by: $0.provenance) }
            for _ in 0..<4 {
                var delivered = writes + writes.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                delivered.shuffle(using: &random)
                var replica = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
                delivered.forEach { replica.apply($0.changes, by: $0.provenance) }
                guard replica == reference, replica.versions.json == reference.versions.json else {
                    Issue.record("schedule \(schedule) diverged (seed \(seed)): \(writes)")
                    return
                }
            }
        }
    }

    @Test func anOlderWriteDoesNotOverwriteANewerOne() {
        var record = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
        #expect(record.apply([.name("Anna")], by: Self.provenance(5)) == ["name"])
        #expect(record.apply([.name("Ana Lima"), .company("Acme")], by: Self.provenance(3, source: "store")) == ["company"])
        #expect(record.customer.name == "Anna")
        #expect(record.customer.company == "Acme")
        #expect(record.versions.registers["company"]?.channelID == "store")
    }

    @Test func concurrentListEditsFromTwoChannelsBothSurvive() {
        let a = Identity(kind: .email, value: "a@example.com")
        let b = Identity(kind: .email, value: "b@example.com")
        let c = Identity(kind: .email, value: "c@example.com")
        var record = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
        record.apply([.addIdentity(a, rank: 0), .addIdentity(b, rank: 1)], by: Self.provenance(1))
        // The store removes b while the app, offline, adds c: both edits stay.
        record.apply([.addIdentity(c, rank: 0)], by: Self.provenance(3, source: "app"))
        record.apply([.removeIdentity(b)], by: Self.provenance(2, source: "store"))
        #expect(record.customer.identities == [a, c])
    }

    @Test func creationKeepsTheGivenOrderAndPatchesAppend() {
        let new = NewCustomer(name: "Ana", identities: [Identity(kind: .email, value: "z@example.com"),
                                                        Identity(kind: .email, value: "a@example.com")],
                              addresses: [Address(city: "Rome"), Address(city: "Oslo")])
        var record = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
        record.apply(new.changes, by: Self.provenance(1))
        #expect(record.customer.emails == ["z@example.com", "a@example.com"])
        #expect(record.customer.addresses.map(\.city) == ["Rome", "Oslo"])
        var patch = CustomerPatch()
        patch.emails = [Identity(kind: .email, value: "m@example.com"), Identity(kind: .email, value: "a@example.com")]
        let changes = patch.changes(against: record.customer)
        #expect(record.apply(changes, by: Self.provenance(2)) == ["emails", "identities"])
        #expect(record.customer.emails == ["a@example.com", "m@example.com"])
    }

    @Test func versionsSurviveTheirStoredForm() throws {
        var random = SeededRandom(seed: 7)
        var record = VersionedCustomer(customer: Self.base, versions: CustomerVersions())
        for _ in 0..<40 {
            let write = Self.randomWrite(using: &random)
            record.apply(write.changes, by: write.provenance)
        }
        let text = record.versions.json.jsonString
        #expect(CustomerVersions(stored: try JSONParser.parse(text)) == record.versions)
    }

    @Test func unversionedRecordsAreSupersededByAnyWrite() {
        var customer = Self.base
        customer.identities = [Identity(kind: .phone, value: "+4930123456")]
        var record = VersionedCustomer(customer: customer, versions: CustomerVersions())
        #expect(record.versions.identities.count == 1)
        record.apply([.removeIdentity(customer.identities[0]), .name("Ana Lima")], by: Self.provenance(1))
        #expect(record.customer.identities.isEmpty)
        #expect(record.customer.name == "Ana Lima")
    }
}
