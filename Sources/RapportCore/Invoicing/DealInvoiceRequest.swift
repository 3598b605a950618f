/// What finance may choose when invoicing a deal: the number (else the next of the year's series),
/// the day it is issued (else today, UTC) and the days the customer has to pay (30 unless said).
public struct DealInvoiceRequest: Sendable, Equatable {
    public var number: String?
    public var issuedOn: CalendarDate?
    public var paymentDays: Int

    public init(number: String? = nil, issuedOn: CalendarDate? = nil, paymentDays: Int = 30) {
        self.number = number
        self.issuedOn = issuedOn
        self.paymentDays = paymentDays
    }

    /// Reads `{"number"?, "issued_on"?, "payment_days"?}`; an empty body takes every default.
    public static func read(_ value: JSONValue) throws(ValidationFailure) -> DealInvoiceRequest {
        var reader = try InputReader(value)
        var request = DealInvoiceRequest()
        if let number = reader.string("number", maxLength: 64) {
            if !number.hasVisibleCharacters || number.containsControlCharacters {
                reader.fail("number", "must have a visible character and no control characters")
            } else {
                request.number = number
            }
        }
        if let issued = reader.string("issued_on", maxLength: 10) {
            if let date = CalendarDate(issued) { request.issuedOn = date } else { reader.fail("issued_on", "expected a date as YYYY-MM-DD") }
        }
        if let days = reader.integer("payment_days", in: 0...365) { request.paymentDays = Int(days) }
        try reader.finish()
        return request
    }
}
