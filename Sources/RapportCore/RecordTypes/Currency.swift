/// ISO 4217 currencies in use, with the digits after the decimal point each is counted in.
public enum Currency {
    /// Code → minor units (the digits of a cent); currencies not listed here are refused.
    public static let minorUnits: [String: Int] = {
        var units: [String: Int] = [:]
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK
            DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KYD KZT LAK LBP
            LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD
            RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER
            ZAR ZMW ZWL
            """
        for code in two.split(whereSeparator: \.isWhitespace) { units[String(code)] = 2 }
        for code in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"] { units[code] = 0 }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { units[code] = 3 }
        return units
    }()
}

/// An amount of money: a decimal written with exactly its currency's minor units, and the currency.
public struct Money: Sendable, Equatable {
    /// E.g. `1250.00` for EUR, `1250` for JPY, `-3.500` for KWD.
    public var amount: String
    public var currency: String

    public init(amount: String, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    public var json: JSONValue { ["amount": .string(amount), "currency": .string(currency)] }

    /// Reads `{"amount": "12.5" | 12.5, "currency": "EUR"}`; the amount is written again with the
    /// currency's minor units (`12.50`), more digits than those are refused, at most 15 before the point.
    public static func read(_ value: JSONValue) -> Result<Money, FieldProblem> {
        guard let object = value.objectValue else { return .failure("expected {\"amount\": \"12.50\", \"currency\": \"EUR\"}") }
        for (key, _) in object where key != "amount" && key != "currency" { return .failure("\(key) is not part of an amount of money") }
        guard let code = object["currency"]?.stringValue, let units = Currency.minorUnits[code] else {
            return .failure("currency must be an ISO 4217 code in use, like EUR or JPY")
        }
        let written: String
        switch object["amount"] {
        case .string(let text)?: written = text
        case .integer(let number)?: written = String(number)
        case .double(let number)? where number.isFinite:
            // A JSON number with a fraction: its shortest decimal form is what was meant.
            written = "\(number)".contains("e") ? "" : "\(number)"
        default: return .failure("amount is required, as a decimal string like \"12.50\"")
        }
        var scalars = Substring(written)
        let negative = scalars.first == "-"
        if negative { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 15, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
              parts.count == 1 || !fraction.isEmpty else {
            return .failure("amount must be a decimal number like \"12.50\" (at most 15 digits before the point)")
        }
        let significantFraction = fraction.reversed().drop { $0 == "0" }
        guard significantFraction.count <= units else {
            return .failure("\(code) is counted to \(units) decimal place\(units == 1 ? "" : "s")")
        }
        let trimmedWhole = whole.drop { $0 == "0" }
        let padded = String(fraction.prefix(units)) + String(repeating: "0", count: max(0, units - fraction.count))
        var amount = trimmedWhole.isEmpty ? "0" : String(trimmedWhole)
        if units > 0 { amount += "." + padded }
        let isZero = amount.allSatisfy { $0 == "0" || $0 == "." }
        return .success(Money(amount: (negative && !isZero ? "-" : "") + amount, currency: code))
    }
}
