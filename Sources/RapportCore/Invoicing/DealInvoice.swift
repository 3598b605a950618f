import Foundation

/// The invoice a won deal becomes (Odoo's sale-to-invoice path): one invoice line per deal line,
/// its discount taken off the unit price; each line's net amount and tax rounded half away from
/// zero to the currency's minor units, and the invoice's subtotal, tax and total summed from the
/// rounded lines — so the lines always add up to the total a customer reads.
public struct DealInvoice: Sendable, Equatable {
    /// The invoice's fields as a request would give them (`number`, `deal`, dates, money).
    public var fields: JSONObject
    /// Each line's fields, in the deal lines' order, without the `invoice` they will belong to.
    public var lines: [JSONObject]

    /// Why a deal cannot be invoiced yet.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notWon(stage: String?)
        case noLines
        case severalCurrencies([String])
        case unreadableLine(String, field: String)

        public var description: String {
            switch self {
            case .notWon(let stage): "only a won deal is invoiced; this one stands in \(stage.map { "stage \($0)" } ?? "no stage")"
            case .noLines: "the deal has no lines to invoice; add its products as deal lines first"
            case .severalCurrencies(let codes): "the deal's lines are in several currencies (\(codes.joined(separator: ", "))); one invoice has one"
            case .unreadableLine(let id, let field): "deal line \(id) has no readable \(field)"
            }
        }
    }

    /// Terms: when it is issued and how many days later it is due, and its number.
    public struct Terms: Sendable, Equatable {
        public var number: String
        public var issuedOn: CalendarDate
        public var paymentDays: Int

        public init(number: String, issuedOn: CalendarDate, paymentDays: Int) {
            self.number = number
            self.issuedOn = issuedOn
            self.paymentDays = paymentDays
        }
    }

    /// The invoice of `deal` (whose type's pipeline says whether its stage is won) from `lines`.
    public static func make(deal: BusinessRecord, dealType: RecordType, lines: [BusinessRecord], terms: Terms) throws(Refusal) -> DealInvoice {
        guard let stage = deal.stage.flatMap(dealType.stage), stage.outcome == .won else { throw .notWon(stage: deal.stage) }
        guard !lines.isEmpty else { throw .noLines }
        var priced: [(line: BusinessRecord, currency: String, listed: Decimal, quantity: Decimal, discount: Decimal, taxRate: Decimal)] = []
        for line in lines {
            guard let priceValue = line.fields["unit_price"], case .success(let price) = Money.read(priceValue),
                  let unit = Decimal(amount: price.amount) else {
                throw .unreadableLine(line.id, field: "unit_price")
            }
            guard let quantity = Decimal(json: line.fields["quantity"] ?? .integer(1)) else { throw .unreadableLine(line.id, field: "quantity") }
            guard let discount = Decimal(json: line.fields["discount"] ?? .integer(0)) else { throw .unreadableLine(line.id, field: "discount") }
            guard let taxRate = Decimal(json: line.fields["tax_rate"] ?? .integer(0)) else { throw .unreadableLine(line.id, field: "tax_rate") }
            priced.append((line, price.currency, unit, quantity, discount, taxRate))
        }
        let currencies = Array(Set(priced.map(\.currency))).sorted()
        guard currencies.count == 1, let currency = currencies.first else { throw .severalCurrencies(currencies) }
        let units = Currency.minorUnits[currency] ?? 2

        var subtotal = Decimal(0)
        var tax = Decimal(0)
        var invoiceLines: [JSONObject] = []
        for item in priced {
            let unitPrice = (item.listed * (100 - item.discount) / 100).rounded(toPlaces: units)
            let net = (unitPrice * item.quantity).rounded(toPlaces: units)
            subtotal += net
            tax += (net * item.taxRate / 100).rounded(toPlaces: units)
            var fields = JSONObject()
            let product = item.line.fields["product"]?.stringValue ?? "Deal line \(item.line.id)"
            fields["description"] = .string(item.discount == 0 ? product : "\(product) (less \(item.discount.plainText)%)")
            fields["quantity"] = item.line.fields["quantity"] ?? .integer(1)
            fields["unit_price"] = money(unitPrice, currency, units)
            fields["tax_rate"] = item.line.fields["tax_rate"] ?? .integer(0)
            invoiceLines.append(fields)
        }
        var fields = JSONObject()
        fields["number"] = .string(terms.number)
        fields["deal"] = .string(deal.id)
        fields["issued_on"] = .string(terms.issuedOn.description)
        fields["due_on"] = .string(terms.issuedOn.adding(days: terms.paymentDays).description)
        fields["subtotal"] = money(subtotal, currency, units)
        fields["tax"] = money(tax, currency, units)
        fields["total"] = money(subtotal + tax, currency, units)
        return DealInvoice(fields: fields, lines: invoiceLines)
    }

    /// The next number in a year's series (`INV-2026-00042`) after those already taken.
    public static func nextNumber(year: Int, taken: [String]) -> String {
        let prefix = "INV-\(year)-"
        let highest = taken.compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }.max() ?? 0
        return prefix + String(format: "%05d", highest + 1)
    }

    static func money(_ value: Decimal, _ currency: String, _ units: Int) -> JSONValue {
        let text = value.rounded(toPlaces: units).plainText
        if case .success(let money) = Money.read(["amount": .string(text), "currency": .string(currency)]) { return money.json }
        return ["amount": .string(text), "currency": .string(currency)]
    }
}
