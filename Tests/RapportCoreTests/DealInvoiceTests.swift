import RapportCore
import Testing

/// A won deal's lines become invoice lines whose rounded amounts add up to the invoice's totals.
@Suite("Deal invoices")
struct DealInvoiceTests {
    let dealType = RecordType(key: "deal", label: "Deal", pluralLabel: "Deals", fields: [],
                              stages: [PipelineStage(key: "proposal", label: "Proposal", probability: 50),
                                       PipelineStage(key: "won", label: "Won", probability: 100, outcome: .won)],
                              createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    let terms = DealInvoice.Terms(number: "INV-2026-00001", issuedOn: CalendarDate("2026-12-30")!, paymentDays: 30)

    func record(_ id: String, _ fields: JSONObject, stage: String? = nil) -> BusinessRecord {
        BusinessRecord(id: id, typeKey: "x", customerID: "cus_1", fields: fields, stage: stage, version: 1,
                       createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    }

    @Test("discounts come off the unit price, each line and its tax round to cents, the totals add the rounded lines")
    func totals() throws {
        let deal = record("rec_deal", ["title": "Fleet"], stage: "won")
        let lines = [
            record("rec_1", ["product": "Seat", "quantity": 2, "unit_price": ["amount": "100.00", "currency": "EUR"], "discount": 10, "tax_rate": 20]),
            record("rec_2", ["product": "Support", "quantity": 1.5, "unit_price": ["amount": "33.33", "currency": "EUR"], "tax_rate": 7]),
            record("rec_3", ["product": "Setup", "unit_price": ["amount": "0.05", "currency": "EUR"], "discount": 50]),
        ]
        let invoice = try DealInvoice.make(deal: deal, dealType: dealType, lines: lines, terms: terms)
        // 2 × 90.00 = 180.00 (tax 36.00); 1.5 × 33.33 = 49.995 → 50.00 (tax 3.50); 0.05 less 50% = 0.025 → 0.03.
        #expect(invoice.lines.map { $0["unit_price"]?.objectValue?["amount"]?.stringValue } == ["90.00", "33.33", "0.03"])
        #expect(invoice.lines.map { $0["description"]?.stringValue } == ["Seat (less 10%)", "Support", "Setup (less 50%)"])
        #expect(invoice.fields["subtotal"] == ["amount": "230.03", "currency": "EUR"])
        #expect(invoice.fields["tax"] == ["amount": "39.50", "currency": "EUR"])
        #expect(invoice.fields["total"] == ["amount": "269.53", "currency": "EUR"])
        #expect(invoice.fields["due_on"] == "2027-01-29")
        #expect(invoice.fields["deal"] == "rec_deal")
    }

    @Test("yen have no minor units")
    func yen() throws {
        let deal = record("rec_deal", [:], stage: "won")
        let lines = [record("rec_1", ["product": "Tour", "quantity": 3, "unit_price": ["amount": "1999", "currency": "JPY"], "discount": 15, "tax_rate": 10])]
        let invoice = try DealInvoice.make(deal: deal, dealType: dealType, lines: lines, terms: terms)
        // 1999 less 15% = 1699.15 → 1699; × 3 = 5097; tax 509.7 → 510.
        #expect(invoice.fields["total"] == ["amount": "5607", "currency": "JPY"])
    }

    @Test("a deal not won, without lines, or in several currencies is refused")
    func refusals() {
        let lines = [record("rec_1", ["product": "Seat", "unit_price": ["amount": "1", "currency": "EUR"]])]
        #expect(throws: DealInvoice.Refusal.notWon(stage: "proposal")) {
            try DealInvoice.make(deal: record("rec_d", [:], stage: "proposal"), dealType: dealType, lines: lines, terms: terms)
        }
        #expect(throws: DealInvoice.Refusal.noLines) {
            try DealInvoice.make(deal: record("rec_d", [:], stage: "won"), dealType: dealType, lines: [], terms: terms)
        }
        let mixed = lines + [record("rec_2", ["product": "Seat", "unit_price": ["amount": "1", "currency": "USD"]])]
        #expect(throws: DealInvoice.Refusal.severalCurrencies(["EUR", "USD"])) {
            try DealInvoice.make(deal: record("rec_d", [:], stage: "won"), dealType: dealType, lines: mixed, terms: terms)
        }
    }

    @Test("numbers follow the year's series")
    func numbers() {
        #expect(DealInvoice.nextNumber(year: 2026, taken: []) == "INV-2026-00001")
        #expect(DealInvoice.nextNumber(year: 2026, taken: ["INV-2026-00007", "INV-2025-00100", "INV-2026-00002", "custom"]) == "INV-2026-00008")
    }
}

/// Computed fields sum up the records that name theirs.
@Suite("Field rollups")
struct FieldRollupTests {
    @Test("count, sum, min and max over numbers, money, dates and times; money in several currencies has no sum")
    func computes() {
        let records: [JSONObject] = [
            ["price": ["amount": "10.50", "currency": "EUR"], "nights": 2, "starts": "2027-05-03T07:10:00Z", "day": "2027-05-03", "kind": "hotel"],
            ["price": ["amount": "4.25", "currency": "EUR"], "nights": 1.5, "starts": "2027-05-02T07:10:00.000Z", "day": "2027-05-09", "kind": "flight"],
            ["kind": "hotel"],
        ]
        #expect(FieldRollup(from: "b", via: "i", function: .count).compute(over: records, kind: .number) == 3)
        #expect(FieldRollup(from: "b", via: "i", function: .count, field: "kind", equals: "hotel").compute(over: records, kind: .number) == 2)
        #expect(FieldRollup(from: "b", via: "i", function: .sum, field: "price").compute(over: records, kind: .money) == ["amount": "14.75", "currency": "EUR"])
        #expect(FieldRollup(from: "b", via: "i", function: .sum, field: "nights").compute(over: records, kind: .number) == 3.5)
        #expect(FieldRollup(from: "b", via: "i", function: .min, field: "starts").compute(over: records, kind: .datetime) == "2027-05-02T07:10:00.000Z")
        #expect(FieldRollup(from: "b", via: "i", function: .max, field: "day").compute(over: records, kind: .date) == "2027-05-09")
        #expect(FieldRollup(from: "b", via: "i", function: .min, field: "day").compute(over: [], kind: .date) == nil)
        #expect(FieldRollup(from: "b", via: "i", function: .sum, field: "nights").compute(over: [], kind: .number) == 0)
        let mixed = records + [["price": ["amount": "1", "currency": "USD"]]]
        #expect(FieldRollup(from: "b", via: "i", function: .sum, field: "price").compute(over: mixed, kind: .money) == nil)
    }
}
