import Foundation

/// Decimal arithmetic on field values: money and numbers are summed and rounded as decimals, never
/// as binary floating point.
extension Decimal {
    /// A JSON number as a decimal (nil for anything else).
    init?(json value: JSONValue) {
        switch value {
        case .integer(let number): self.init(number)
        case .double(let number) where number.isFinite:
            guard let decimal = Decimal(string: "\(number)", locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            self = decimal
        default: return nil
        }
    }

    /// A decimal written like `"12.50"` (as money's amounts are).
    init?(amount text: String) {
        guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self = decimal
    }

    /// Rounded half away from zero to `places` digits after the point.
    func rounded(toPlaces places: Int) -> Decimal {
        var input = self
        var result = Decimal()
        NSDecimalRound(&result, &input, places, .plain)
        return result
    }

    /// Its shortest decimal text (`"12.5"`, `"-3"`).
    var plainText: String { NSDecimalNumber(decimal: self).stringValue }
}
