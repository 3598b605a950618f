import RapportCore
import Testing

/// Record types defined at run time: their definitions, the values their fields take, and what a
/// change of definition does to values already stored.
@Suite("Record types")
struct RecordTypeTests {
    let context = FieldValueContext(normalizer: try! IdentityNormalizer(defaultRegion: "DE"))
    let now = Timestamp(rfc3339: "2026-12-04T09:00:00Z")!

    var dealDefinition: JSONValue {
        ["key": "deal", "label": "Deal", "plural_label": "Deals", "fields": [
            ["key": "title", "label": "Title", "kind": "text", "required": true],
            ["key": "amount", "label": "Amount", "kind": "money"],
            ["key": "probability", "label": "Probability", "kind": "percent", "default": 10],
            ["key": "close_on", "label": "Close date", "kind": "date"],
            ["key": "channel", "label": "Channel", "kind": "choice", "choices": [["key": "web", "label": "Web"], ["key": "store", "label": "Store"]],
             "default": "web"],
            ["key": "customer", "label": "Customer", "kind": "reference", "target": "customer", "required": true],
            ["key": "website", "label": "Website", "kind": "url"],
            ["key": "contact", "label": "Contact email", "kind": "email", "unique": true],
        ]]
    }

    func deal() throws -> RecordType {
        let draft = try RecordTypeDraft.read(dealDefinition, context: context)
        return RecordType(key: draft.key, label: draft.label, pluralLabel: draft.pluralLabel, fields: draft.fields, createdAt: now, updatedAt: now)
    }

    @Test("a definition is read with its fields; every bad part is named")
    func definitions() throws {
        let type = try deal()
        #expect(type.fields.map(\.key) == ["title", "amount", "probability", "close_on", "channel", "customer", "website", "contact"])
        #expect(type.field("channel")?.defaultValue == "web")
        #expect(type.field("customer")?.target == .customer)
        let channel = type.json.objectValue?["fields"]?.arrayValue?[4].objectValue
        #expect(channel?["choices"]?.arrayValue?[1].objectValue?["label"] == "Store")

        let bad: JSONValue = ["key": "Deal!", "label": "Deal", "fields": [
            ["key": "id", "label": "Id", "kind": "text"],
            ["key": "stage_name", "label": "Stage", "kind": "choice"],
            ["key": "owner", "label": "Owner", "kind": "reference", "target": "planet"],
            ["key": "amount", "label": "Amount", "kind": "money", "default": ["amount": "1.234", "currency": "EUR"]],
            ["key": "amount", "label": "Again", "kind": "text"],
            ["key": "flag", "label": "Flag", "kind": "boolean", "unique": true],
            ["key": "size", "label": "Size", "kind": "numeric"],
            ["key": "title", "label": "Title", "kind": "text"],
            ["key": "title", "label": "Title again", "kind": "text"],
            ["key": "note", "label": "Note", "kind": "text", "choices": [["key": "a", "label": "A"]], "target": "customer"],
        ]]
        #expect(throws: ValidationFailure.self) { try RecordTypeDraft.read(bad, context: context) }
        do {
            _ = try RecordTypeDraft.read(bad, context: context)
        } catch {
            let fields = Set(error.issues.map(\.field))
            // Each problem once: a member the kind does not take is not also "unknown".
            #expect(error.issues.count == Set(error.issues.map(\.description)).count, "\(error.issues)")
            #expect(fields == ["key", "fields[0].key", "fields[1].choices", "fields[2].target", "fields[3].default", "fields[5].unique",
                               "fields[6].kind", "fields[8].key", "fields[9].choices", "fields[9].target"], "\(error.issues)")
        }
    }

    @Test("values take one form, defaults fill in, and each bad value is named")
    func values() throws {
        let type = try deal()
        let made = try RecordValues.creating([
            "title": "Seats for 2027", "amount": ["amount": "1250.5", "currency": "EUR"], "close_on": "2027-01-31",
            "customer": "cus_01ABC", "contact": "Ana.Lima@Example.COM", "website": "https://acme.example/shop",
        ], type: type, context: context)
        #expect(made["amount"] == ["amount": "1250.50", "currency": "EUR"])
        #expect(made["probability"] == 10)
        #expect(made["channel"] == "web")
        #expect(made["contact"] == "ana.lima@example.com")

        do {
            _ = try RecordValues.creating([
                "title": "Two\nlines", "amount": ["amount": "12.345", "currency": "EUR"], "close_on": "2027-02-30", "customer": "usr_01ABC",
                "channel": "phone", "website": "javascript:alert(1)", "colour": "red",
            ], type: type, context: context)
            Issue.record("bad values were accepted")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["fields.title", "fields.amount", "fields.close_on", "fields.customer", "fields.channel",
                                                       "fields.website", "fields.colour"], "\(error.issues)")
        }
        do {
            _ = try RecordValues.creating(["amount": ["amount": "5", "currency": "JPY"]], type: type, context: context)
            Issue.record("a record without its required fields was accepted")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["fields.title", "fields.customer"])
        }
        // A change: null clears what is not required, never what is.
        let changed = try RecordValues.changing(made, with: ["website": .null, "probability": 60.5], type: type, context: context)
        #expect(changed["website"] == nil)
        #expect(changed["probability"] == .double(60.5))
        #expect(throws: ValidationFailure.self) { try RecordValues.changing(made, with: ["title": .null], type: type, context: context) }
    }

    @Test("money is written with its currency's minor units")
    func money() throws {
        #expect(try Money.read(["amount": "7", "currency": "JPY"]).get() == Money(amount: "7", currency: "JPY"))
        #expect(try Money.read(["amount": "-0012.1", "currency": "KWD"]).get() == Money(amount: "-12.100", currency: "KWD"))
        #expect(try Money.read(["amount": 19.99, "currency": "USD"]).get() == Money(amount: "19.99", currency: "USD"))
        #expect(try Money.read(["amount": "-0.00", "currency": "EUR"]).get() == Money(amount: "0.00", currency: "EUR"))
        #expect(throws: (any Error).self) { try Money.read(["amount": "7.5", "currency": "JPY"]).get() }
        #expect(throws: (any Error).self) { try Money.read(["amount": "1e3", "currency": "EUR"]).get() }
        #expect(throws: (any Error).self) { try Money.read(["amount": "1", "currency": "XXX"]).get() }
        #expect(throws: (any Error).self) { try Money.read(["amount": "1.", "currency": "EUR"]).get() }
    }

    @Test("a change of definition keeps fields by key, retires what it leaves out, and converts values where they convert")
    func changes() throws {
        let type = try deal()
        var definition = dealDefinition.objectValue!
        var fields = definition["fields"]!.arrayValue!
        fields.removeAll { $0.objectValue?["key"] == "website" }
        fields[fields.firstIndex { $0.objectValue?["key"] == "close_on" }!] = ["key": "close_on", "label": "Close", "kind": "datetime"]
        fields.append(["key": "region", "label": "Region", "kind": "text", "required": true])
        definition["fields"] = .array(fields)
        // A new required field without a default is refused: stored records would lack it.
        #expect(throws: ValidationFailure.self) {
            try RecordTypeChange.apply(try RecordTypeDraft.read(.object(definition), context: context), to: type, at: now)
        }
        fields[fields.count - 1] = ["key": "region", "label": "Region", "kind": "text", "required": true, "default": "EMEA"]
        definition["fields"] = .array(fields)
        let (changed, conversions) = try RecordTypeChange.apply(try RecordTypeDraft.read(.object(definition), context: context), to: type, at: now)
        #expect(changed.version == 2)
        #expect(changed.field("website")?.retired == true, "left out: retired, its values kept")
        #expect(changed.liveFields.count == type.fields.count)
        #expect(conversions.map(\.to.key) == ["close_on", "region"])
        #expect(conversions.last?.fillsOnly == true)

        func field(_ key: String, _ kind: FieldKind, choices: [FieldChoice] = [], target: ReferenceTarget? = nil) -> FieldDefinition {
            FieldDefinition(key: key, label: key, kind: kind, choices: choices, target: target)
        }
        let convert = { (value: JSONValue, from: FieldDefinition, to: FieldDefinition) in
            RecordTypeChange.convert(value, from: from, to: to, context: context)
        }
        #expect(convert("2027-01-31", field("d", .date), field("d", .datetime)) == "2027-01-31T00:00:00.000Z")
        #expect(convert("2027-01-31T00:00:00.000Z", field("d", .datetime), field("d", .date)) == "2027-01-31")
        #expect(convert("2027-01-31T09:30:00.000Z", field("d", .datetime), field("d", .date)) == nil, "the time would be lost")
        #expect(convert("42", field("n", .text), field("n", .number)) == 42)
        #expect(convert("forty-two", field("n", .text), field("n", .number)) == nil)
        #expect(convert(["amount": "12.50", "currency": "EUR"], field("m", .money), field("m", .text)) == "12.50 EUR")
        let choices = [FieldChoice(key: "web", label: "Web"), FieldChoice(key: "store", label: "Store")]
        #expect(convert("web", field("c", .choice, choices: choices), field("c", .multiChoice, choices: choices)) == ["web"])
        #expect(convert(["web", "store"], field("c", .multiChoice, choices: choices), field("c", .choice, choices: choices)) == nil)
        #expect(convert("store", field("c", .choice, choices: choices), field("c", .choice, choices: Array(choices.prefix(1)))) == nil,
                "a choice taken away blocks the values that hold it")
        #expect(convert("cus_1", field("r", .reference, target: .customer), field("r", .referenceList, target: .customer)) == ["cus_1"])
        #expect(convert("cus_1", field("r", .reference, target: .customer), field("r", .reference, target: .user)) == nil)
        #expect(convert("ANA@example.com", field("e", .text), field("e", .email)) == "ana@example.com")
    }

    @Test("web addresses and calendar dates")
    func addressesAndDates() {
        #expect(WebAddress.isValid("https://crm.example.com:8443/console?x=[1]"))
        #expect(!WebAddress.isValid("http://[::1]/"))
        #expect(!WebAddress.isValid("https://\u{1F3FB}x"))
        #expect(!WebAddress.isValid("ftp://example.com"))
        #expect(CalendarDate("2028-02-29")?.description == "2028-02-29")
        #expect(CalendarDate("2027-02-29") == nil)
        #expect(CalendarDate("2027-1-05") == nil)
    }
}
